using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using NovaBrain.ModelRegistry.Apis;

namespace NovaBrain.ModelRegistry.Versions;

/// <summary>
/// A registration's multipart body as received: the <c>file</c> part streamed to a temporary file and hashed on the
/// way (memory stays bounded whatever its size), and the <c>metadata</c> part parsed. Disposing deletes the file.
/// </summary>
public sealed class ArtifactUpload : IDisposable
{
    private ArtifactUpload(string path, string digest, long sizeBytes, VersionMetadata metadata)
    {
        Path = path;
        Digest = digest;
        SizeBytes = sizeBytes;
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary><c>sha256:&lt;hex&gt;</c> of the file.</summary>
    public string Digest { get; }

    public long SizeBytes { get; }

    public VersionMetadata Metadata { get; }

    public void Dispose() => File.Delete(Path);

    public static async Task<(ArtifactUpload? Upload, ProblemHttpResult? Problem)> ReceiveAsync(
        HttpRequest request, ArtifactOptions options, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return (null, Problems.MultipartRequired());
        }

        string? path = null;
        (string Digest, long Size)? file = null;
        VersionMetadata? metadata = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body);
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition);
                switch (HeaderUtilities.RemoveQuotes(disposition?.Name ?? default).Value)
                {
                    case "file" when file is null:
                        path = NewTempPath(options);
                        file = await CopyHashedAsync(section.Body, path, options.MaxBytes, cancellationToken);
                        if (file is null)
                        {
                            return (null, Problems.ArtifactTooLarge(options.MaxBytes));
                        }
                        break;
                    case "metadata" when metadata is null:
                        var (parsed, error) = await ReadMetadataAsync(section.Body, cancellationToken);
                        if (error is not null)
                        {
                            return (null, Problems.InvalidMetadata(error));
                        }
                        metadata = parsed;
                        break;
                    default:
                        await section.Body.CopyToAsync(Stream.Null, cancellationToken);
                        break;
                }
            }
        }
        catch (InvalidDataException exception)
        {
            return (null, NovaBrainProblems.Result("invalid-multipart", "The multipart body is malformed", exception.Message, StatusCodes.Status400BadRequest));
        }
        finally
        {
            if (path is not null && (file is null || metadata is null))
            {
                File.Delete(path);
            }
        }

        if (file is null)
        {
            return (null, Problems.PartMissing("file"));
        }
        if (metadata is null)
        {
            return (null, Problems.PartMissing("metadata"));
        }
        return (new ArtifactUpload(path!, file.Value.Digest, file.Value.Size, metadata), null);
    }

    /// <summary>An artifact that arrives as a plain stream beside its already parsed metadata (the gRPC registration).</summary>
    public static async Task<(ArtifactUpload? Upload, ProblemHttpResult? Problem)> ReceiveAsync(
        Stream file, VersionMetadata metadata, ArtifactOptions options, CancellationToken cancellationToken)
    {
        var path = NewTempPath(options);
        (string Digest, long Size)? copied = null;
        try
        {
            copied = await CopyHashedAsync(file, path, options.MaxBytes, cancellationToken);
            return copied is { } received
                ? (new ArtifactUpload(path, received.Digest, received.Size, metadata), null)
                : (null, Problems.ArtifactTooLarge(options.MaxBytes));
        }
        finally
        {
            if (copied is null)
            {
                File.Delete(path);
            }
        }
    }

    private static string NewTempPath(ArtifactOptions options) =>
        System.IO.Path.Combine(options.TempFolder, $"registry-upload-{Guid.NewGuid():N}.tmp");

    /// <summary>Copies and hashes; null (and nothing kept) once the body passes <paramref name="maxBytes"/>.</summary>
    private static async Task<(string Digest, long Size)?> CopyHashedAsync(Stream body, string path, long maxBytes, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous);
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if ((total += read) > maxBytes)
                {
                    return null;
                }
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            return ($"sha256:{Convert.ToHexStringLower(hash.GetHashAndReset())}", total);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<(VersionMetadata? Metadata, string? Error)> ReadMetadataAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[VersionMetadata.MaxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        if (length > VersionMetadata.MaxBytes)
        {
            return (null, $"The metadata part is at most {VersionMetadata.MaxBytes} bytes of JSON.");
        }
        try
        {
            return JsonSerializer.Deserialize<VersionMetadata>(Encoding.UTF8.GetString(buffer, 0, length), JsonSerializerOptions.Web) is { } metadata
                ? (metadata, null)
                : (null, "The metadata part is JSON null; it is an object with at least a format.");
        }
        catch (JsonException exception)
        {
            return (null, $"The metadata part is not valid JSON for a version's metadata: {exception.Message}");
        }
    }
}
