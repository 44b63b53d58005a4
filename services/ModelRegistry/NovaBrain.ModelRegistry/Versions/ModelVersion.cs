using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Validation;

namespace NovaBrain.ModelRegistry.Versions;

/// <summary>
/// One numbered, immutable version of a registered model: an artifact stored in the parameter service, its format,
/// signature and validation result; only its stage (and the aliases pointing at it) change over its life.
/// </summary>
public sealed class ModelVersion
{
    public const int DescriptionMaxLength = 4000;

    public Guid Id { get; set; }

    public Guid ModelId { get; set; }

    /// <summary>Loaded only where a query includes it (searches filter and sort by the model's name).</summary>
    public RegisteredModel Model { get; set; } = null!;

    /// <summary>Numbered from 1 per model.</summary>
    public int Version { get; set; }

    /// <summary><see cref="ModelFormats"/>.</summary>
    public required string Format { get; set; }

    public string? Description { get; set; }

    /// <summary>The parameter-service blob holding the artifact, <c>sha256:&lt;hex&gt;</c>.</summary>
    public required string ArtifactDigest { get; set; }

    public long ArtifactSizeBytes { get; set; }

    public ModelSignature Signature { get; set; } = ModelSignature.Empty;

    /// <summary><see cref="ValidationStatuses"/>.</summary>
    public required string ValidationStatus { get; set; }

    public string[] ValidationReasons { get; set; } = [];

    /// <summary>The default-domain opset an ONNX model imports.</summary>
    public long? Opset { get; set; }

    /// <summary>The ONNX Runtime execution provider the trial inference ran on.</summary>
    public string? ExecutionProvider { get; set; }

    /// <summary><see cref="ModelStages"/>.</summary>
    public string Stage { get; set; } = ModelStages.None;

    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ModelVersionTag> Tags { get; set; } = [];

    public List<ModelVersionMetric> Metrics { get; set; } = [];

    public List<ModelVersionParam> Params { get; set; } = [];

    public List<LineageReference> Lineage { get; set; } = [];
}

/// <summary>A label on a version, one row per key.</summary>
public sealed class ModelVersionTag
{
    public Guid VersionId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

/// <summary>A number measured for a version (e.g. <c>accuracy</c>), one row per key.</summary>
public sealed class ModelVersionMetric
{
    public Guid VersionId { get; set; }

    public required string Key { get; set; }

    public double Value { get; set; }
}

/// <summary>A (hyper)parameter the version was produced with, one row per key.</summary>
public sealed class ModelVersionParam
{
    public Guid VersionId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}

public static class ModelFormats
{
    public const string Onnx = "onnx";
    public const string TorchScript = "torchscript";
    public const string TorchSharp = "torchsharp";

    public static readonly IReadOnlyList<string> All = [Onnx, TorchScript, TorchSharp];

    public static bool IsKnown(string? format) => format is not null && All.Contains(format, StringComparer.Ordinal);
}
