using NovaBrain.ModelServing.Engines;

namespace NovaBrain.ModelServing.Protocol;

/// <summary>An inference request, decoded from REST or gRPC, before it is checked against the model.</summary>
/// <param name="Outputs">The outputs asked for by name; empty for all of them.</param>
/// <param name="Timeout">How long it may wait in the queue (the <c>timeout</c> parameter, in microseconds); null for the model's default.</param>
/// <param name="Priority">Its priority level (the <c>priority</c> parameter), 1 the highest; 0 for the model's default.</param>
public sealed record InferenceRequest(
    string Model, string? Version, string? Id, IReadOnlyList<TensorData> Inputs, IReadOnlyList<string> Outputs, TimeSpan? Timeout, int Priority = 0);

/// <summary>The outputs of a request, in the order asked for, and the version that computed them.</summary>
public sealed record InferenceResponse(string Model, string Version, string? Id, IReadOnlyList<TensorData> Outputs);
