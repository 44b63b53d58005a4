using System.Net.Http.Headers;
using Polly;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>
/// The parameter service's blob store, where the registry keeps artifacts: called with the registry's own
/// client credentials (<c>params:write</c>).
/// </summary>
public sealed class ArtifactStore(HttpClient http)
{
    /// <summary>Streams the file to <c>PUT /api/params/v1/blobs/{digest}</c>; null when stored, otherwise what went wrong.</summary>
    public async Task<string?> StoreAsync(string path, string digest, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            using var content = new StreamContent(file, 81920);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = file.Length;
            using var response = await http.PutAsync($"/api/params/v1/blobs/{digest}", content, cancellationToken);
            return response.IsSuccessStatusCode
                ? null
                : $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}";
        }
        catch (Exception exception) when (exception is HttpRequestException or ExecutionRejectedException)
        {
            return exception.Message;
        }
    }
}
