namespace NovaBrain.ModelRegistry.Validation;

/// <summary>What a model takes and returns, in the Open Inference Protocol's terms.</summary>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs)
{
    public static readonly ModelSignature Empty = new([], []);
}

/// <summary>
/// A named tensor: <paramref name="Datatype"/> is an Open Inference Protocol datatype (<see cref="InferenceDatatypes"/>),
/// and -1 in <paramref name="Shape"/> marks a variable dimension.
/// </summary>
public sealed record TensorSpec(string Name, string Datatype, IReadOnlyList<long> Shape);

/// <summary>The Open Inference Protocol (KServe v2) tensor datatypes.</summary>
public static class InferenceDatatypes
{
    public static readonly IReadOnlyList<string> All =
        ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES"];

    public static bool IsKnown(string? datatype) => datatype is not null && All.Contains(datatype, StringComparer.Ordinal);
}

public static class ValidationStatuses
{
    /// <summary>Loaded by ONNX Runtime and answered a trial inference.</summary>
    public const string Passed = "passed";

    /// <summary>A format the registry stores without checking it.</summary>
    public const string NotValidated = "not-validated";
}

/// <summary>The validation recorded on a version: refused models are never stored, so there is no failed status.</summary>
public sealed record ValidationResult(string Status, IReadOnlyList<string> Reasons, ModelSignature Signature, long? Opset, string? ExecutionProvider)
{
    public static ValidationResult NotValidated(string format, ModelSignature? declared) => new(
        ValidationStatuses.NotValidated, [$"not validated: {format} is not validated by the registry"], declared ?? ModelSignature.Empty, null, null);
}
