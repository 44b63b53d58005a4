using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace NovaBrain.ModelServing.Infrastructure;

/// <summary>
/// Model files downloaded from the parameter service into a local folder, named by their SHA-256 and verified against
/// it on the way in; beyond the configured size the least recently used files are deleted (loaded sessions keep their
/// own copy in memory, so a loaded model never needs its file again).
/// </summary>
public sealed class ArtifactCache
{
    public const string HttpClientName = "parameters";
    private const string DigestPrefix = "sha256:";

    private readonly IHttpClientFactory httpClientFactory;
    private readonly ILogger<ArtifactCache> logger;
    private readonly long maxBytes;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly Dictionary<string, (long Size, DateTime LastUsed)> entries;

    public ArtifactCache(IHttpClientFactory httpClientFactory, IOptions<ServingOptions> options, IHostEnvironment environment, ILogger<ArtifactCache> logger)
    {
        this.httpClientFactory = httpClientFactory;
        this.logger = logger;
        maxBytes = options.Value.Cache.MaxBytes;
        Root = options.Value.Cache.Root ?? Path.Combine(environment.ContentRootPath, "data", "model-cache");
        Directory.CreateDirectory(Root);
        foreach (var partial in Directory.EnumerateFiles(Root, "*.partial"))
        {
            File.Delete(partial);
        }
        entries = new DirectoryInfo(Root).EnumerateFiles("*.onnx")
            .ToDictionary(file => Path.GetFileNameWithoutExtension(file.Name), file => (file.Length, file.LastWriteTimeUtc));
    }

    public string Root { get; }

    /// <summary>The local path of the artifact <paramref name="digest"/>, downloaded and verified first if it is not cached.</summary>
    /// <exception cref="ArtifactException">The digest is malformed, or the download does not match it or its size.</exception>
    public async Task<string> GetAsync(string digest, long expectedSize, CancellationToken cancellationToken)
    {
        if (!digest.StartsWith(DigestPrefix, StringComparison.Ordinal) || digest.Length != DigestPrefix.Length + 64 ||
            !digest[DigestPrefix.Length..].All(Uri.IsHexDigit))
        {
            throw new ArtifactException($"'{digest}' is not a sha256:<hex> digest.");
        }
        var hex = digest[DigestPrefix.Length..].ToLowerInvariant();
        var path = Path.Combine(Root, hex + ".onnx");

        await gate.WaitAsync(cancellationToken);
        try
        {
            if (entries.ContainsKey(hex) && File.Exists(path))
            {
                Touch(hex, path);
                return path;
            }

            var size = await DownloadAsync(digest, expectedSize, hex, path, cancellationToken);
            entries[hex] = (size, DateTime.UtcNow);
            Evict(keep: hex);
            return path;
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<long> DownloadAsync(string digest, long expectedSize, string hex, string path, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        try
        {
            using var http = httpClientFactory.CreateClient(HttpClientName);
            using var response = await http.GetAsync($"/api/params/v1/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new ArtifactException($"The parameter service answered {(int)response.StatusCode} for artifact {digest}.");
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var source = await response.Content.ReadAsStreamAsync(cancellationToken))
            await using (var target = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    if ((size += read) > expectedSize)
                    {
                        throw new ArtifactException($"Artifact {digest} is larger than the {expectedSize} bytes the registry recorded; it was not used.");
                    }
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != hex || size != expectedSize)
            {
                throw new ArtifactException($"Artifact {digest} ({expectedSize} bytes) downloaded as sha256:{actual} ({size} bytes); it was not used.");
            }
            File.Move(partial, path, overwrite: true);
            logger.LogInformation("Cached artifact {Digest} ({Size} bytes)", digest, size);
            return size;
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private void Touch(string hex, string path)
    {
        var now = DateTime.UtcNow;
        entries[hex] = (entries[hex].Size, now);
        File.SetLastWriteTimeUtc(path, now);
    }

    private void Evict(string keep)
    {
        var total = entries.Values.Sum(entry => entry.Size);
        foreach (var (hex, entry) in entries.Where(entry => entry.Key != keep).OrderBy(entry => entry.Value.LastUsed).ToList())
        {
            if (total <= maxBytes)
            {
                break;
            }
            File.Delete(Path.Combine(Root, hex + ".onnx"));
            entries.Remove(hex);
            total -= entry.Size;
            logger.LogInformation("Evicted artifact sha256:{Digest} from the model cache", hex);
        }
    }
}

/// <summary>An artifact that could not be fetched or did not match its digest.</summary>
public sealed class ArtifactException(string message) : Exception(message);
