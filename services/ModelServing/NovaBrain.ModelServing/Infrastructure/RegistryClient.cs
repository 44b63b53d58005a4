using System.Net;
using System.Net.Http.Json;

namespace NovaBrain.ModelServing.Infrastructure;

/// <summary>Resolves model references (<c>models:/name/3</c>, <c>models:/name@alias</c>, <c>models:/name/Stage</c>) in the model registry.</summary>
public sealed class RegistryClient(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "model-registry";

    public async Task<ResolvedModel> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        using var http = httpClientFactory.CreateClient(HttpClientName);
        using var response = await http.GetAsync($"/api/registry/v1/resolve?ref={Uri.EscapeDataString(reference)}", cancellationToken);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound)
        {
            var problem = await response.Content.ReadFromJsonAsync<RegistryProblem>(cancellationToken);
            throw new ModelResolutionException(
                response.StatusCode == HttpStatusCode.NotFound ? "model-reference-not-found" : "invalid-model-reference",
                $"The registry cannot resolve '{reference}': {problem?.Detail ?? problem?.Title ?? response.ReasonPhrase}");
        }
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<ResolvedModel>(cancellationToken)
            ?? throw new ModelResolutionException("invalid-registry-answer", $"The registry answered nothing for '{reference}'.");
    }

    private sealed record RegistryProblem(string? Title, string? Detail);
}

/// <summary>A model version as the registry resolved a reference to it.</summary>
/// <param name="Signature">Read from the model for ONNX; as registered for formats the registry does not validate (TorchScript).</param>
public sealed record ResolvedModel(string Reference, string Model, int Version, string Format, ArtifactReference Artifact, RegisteredSignature? Signature = null);

/// <summary>A version's inputs and outputs as the registry records them.</summary>
public sealed record RegisteredSignature(IReadOnlyList<RegisteredTensor> Inputs, IReadOnlyList<RegisteredTensor> Outputs);

/// <summary>A signature tensor: an inference protocol datatype and a shape with -1 for variable dimensions.</summary>
public sealed record RegisteredTensor(string Name, string Datatype, IReadOnlyList<long> Shape);

/// <summary>A model file stored in the parameter service, by content digest (<c>sha256:&lt;hex&gt;</c>).</summary>
public sealed record ArtifactReference(string Digest, long SizeBytes);

/// <summary>A reference the registry refused, with the registry's reason.</summary>
public sealed class ModelResolutionException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
