using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace NovaBrain.Training.Clients;

/// <summary>The lineage of a registered version, as the registry's registration metadata names it.</summary>
public sealed record RegistrationLineage(
    IReadOnlyList<string> Datasets, IReadOnlyList<string> ParameterSets, IReadOnlyList<string> Parents, string TrainingJob, string Template);

/// <summary>A registration's <c>metadata</c> part.</summary>
public sealed record RegistrationMetadata(
    string Format, string Description, Dictionary<string, double> Metrics, Dictionary<string, string> Params,
    Dictionary<string, string> Tags, RegistrationLineage Lineage);

/// <summary>The model registry, called with the training service's own token.</summary>
public sealed class RegistryClient(HttpClient http)
{
    /// <summary>Creates the registered model unless it exists already.</summary>
    public async Task EnsureModelAsync(string name, string description, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/registry/v1/models", new { name, description }, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Conflict)
        {
            await EnsureSuccessAsync(response, cancellationToken);
        }
    }

    /// <summary>Registers <paramref name="onnxModel"/> as a new version of <paramref name="name"/>; answers the version number.</summary>
    public async Task<int> RegisterVersionAsync(string name, byte[] onnxModel, RegistrationMetadata metadata, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(onnxModel);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "model.onnx");
        form.Add(JsonContent.Create(metadata), "metadata");
        using var response = await http.PostAsync($"/api/registry/v1/models/{Uri.EscapeDataString(name)}/versions", form, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var created = await response.Content.ReadFromJsonAsync<RegisteredVersion>(cancellationToken);
        return created!.Version;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"The registry answered {(int)response.StatusCode}: {body}", null, response.StatusCode);
        }
    }

    private sealed record RegisteredVersion(int Version);
}
