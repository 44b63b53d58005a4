using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;

namespace NovaBrain.Training.Clients;

/// <summary>The parameter service, called with the training service's own token: datasets, checkpoints and weights.</summary>
public sealed class ParametersClient(HttpClient http)
{
    public const string TorchSharpFormat = "torchsharp";
    public const string OnnxFormat = "onnx";

    /// <summary>The blob's bytes, or null when no blob has that digest.</summary>
    public async Task<byte[]?> GetBlobAsync(string digest, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/params/v1/blobs/{digest}", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(cancellationToken);
    }

    /// <summary>Streams the blob into <paramref name="path"/>; false when no blob has that digest.</summary>
    public async Task<bool> DownloadBlobAsync(string digest, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/params/v1/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        response.EnsureSuccessStatusCode();
        await using var file = File.Create(path);
        await response.Content.CopyToAsync(file, cancellationToken);
        return true;
    }

    /// <summary>Whether a blob with the digest is stored.</summary>
    public async Task<bool> BlobExistsAsync(string digest, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync($"/api/params/v1/blobs/{digest}/info", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        response.EnsureSuccessStatusCode();
        return true;
    }

    /// <summary>Stores the bytes as a blob and answers its digest (storing the same bytes twice is harmless).</summary>
    public async Task<string> PutBlobAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        using var content = new ByteArrayContent(bytes);
        using var response = await http.PutAsync($"/api/params/v1/blobs/{digest}", content, cancellationToken);
        response.EnsureSuccessStatusCode();
        return digest;
    }

    /// <summary>Adds a version of parameter set <paramref name="name"/> pointing at <paramref name="blob"/>; answers its number.</summary>
    public async Task<int> CreateSetVersionAsync(
        string name, string blob, string format, string description, Dictionary<string, string> tags, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync($"/api/params/v1/sets/{Uri.EscapeDataString(name)}/versions",
            new { blob, format, description, tags }, cancellationToken);
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedSetVersion>(cancellationToken);
        return created!.Version;
    }

    private sealed record CreatedSetVersion(int Version);
}
