using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents.Serving;

// Model serving publishes a sample of what its models are asked and answer, for drift monitoring. Samples are
// published straight to the event bus, best effort: serving keeps no database, and an inference never waits for
// (or fails because of) the broker, so a sample may be lost where a registry event would not be.

/// <summary>
/// One inference request that was sampled (at the deployment's sampling rate) with what the model answered:
/// <paramref name="Deployment"/> (the protocol's model name) served version <paramref name="Version"/> of registry model
/// <paramref name="Model"/> on <paramref name="Provider"/>; <see cref="IntegrationEvent.OccurredAt"/> is when it was answered.
/// </summary>
/// <param name="RequestId">The protocol request's <c>id</c>, when the caller gave one.</param>
public sealed record InferenceSampled(
    string Deployment,
    string Model,
    int Version,
    string Provider,
    string? RequestId,
    IReadOnlyList<SampledTensor> Inputs,
    IReadOnlyList<SampledTensor> Outputs) : IntegrationEvent;

/// <summary>
/// A tensor of a sampled inference. <paramref name="Data"/> is its values in the inference protocol's raw form (flat,
/// row-major, little-endian; a BYTES element is a 4-byte little-endian length and its bytes), base64 in JSON. A tensor
/// larger than serving's sampling limit is left out: <paramref name="Data"/> is null and <paramref name="Omitted"/> is
/// true, while its name, datatype and shape still say what it was.
/// </summary>
public sealed record SampledTensor(string Name, string Datatype, IReadOnlyList<long> Shape, byte[]? Data, bool Omitted);
