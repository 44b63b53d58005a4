using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using NovaBrain.Tests.Auth;

namespace NovaBrain.Tests.Parameters;

/// <summary>The parameter service's REST calls and answers as the tests use them.</summary>
internal static class ParameterApi
{
    public const string Blobs = "/api/params/v1/blobs";
    public const string Sets = "/api/params/v1/sets";

    public static async Task<BlobBody> StoreBlobAsync(this HttpClient client, byte[] bytes, CancellationToken cancellationToken)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var posted = await client.PostAsync(Blobs, content, cancellationToken);
        return await posted.ReadAsync<BlobBody>();
    }

    public static Task<HttpResponseMessage> PostVersionAsync(this HttpClient client, string name, string digest, string format, CancellationToken cancellationToken) =>
        client.PostAsJsonAsync($"{Sets}/{name}/versions", new { blob = digest, format }, cancellationToken);

    /// <summary>Stores the file and adds it as the next version of <paramref name="name"/>.</summary>
    public static async Task<VersionBody> AddVersionAsync(this HttpClient client, string name, byte[] file, string format, CancellationToken cancellationToken)
    {
        var blob = await client.StoreBlobAsync(file, cancellationToken);
        using var created = await client.PostVersionAsync(name, blob.Digest, format, cancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(cancellationToken));
        return await created.ReadAsync<VersionBody>();
    }

    public static async Task<TensorListBody> TensorsAsync(this HttpClient client, string name, int version, CancellationToken cancellationToken) =>
        (await client.GetFromJsonAsync<TensorListBody>($"{Sets}/{name}/versions/{version}/tensors", cancellationToken))!;

    public static Task<byte[]> DownloadAsync(this HttpClient client, string digest, CancellationToken cancellationToken) =>
        client.GetByteArrayAsync($"{Blobs}/{digest}", cancellationToken);

}

internal sealed record BlobBody(string Digest, long Size);

internal sealed record VersionBody(string Name, int Version, string Blob, long Size, string Format, Dictionary<string, string> Tags, int? SourceVersion);

internal sealed record TensorBody(string Name, string Dtype, long[] Shape, long ByteSize)
{
    public bool Equals(TensorBody? other) =>
        other is not null && (Name, Dtype, ByteSize) == (other.Name, other.Dtype, other.ByteSize) && Shape.SequenceEqual(other.Shape);

    public override int GetHashCode() => HashCode.Combine(Name, Dtype, ByteSize);

    public override string ToString() => $"{Name} {Dtype} [{string.Join(", ", Shape)}] {ByteSize} bytes";
}

internal sealed record TensorListBody(string Name, int Version, string Format, string Layout, Dictionary<string, string> Metadata, long TotalBytes, TensorBody[] Tensors);
