using System.ComponentModel.DataAnnotations;

namespace NovaBrain.ModelRegistry.Versions;

/// <summary>Bound from <c>Registry:Artifacts</c>: how uploaded model files are received and where they are stored.</summary>
public sealed class ArtifactOptions
{
    public const string SectionName = "Registry:Artifacts";

    /// <summary>The largest artifact accepted, in bytes; 2 GiB by default (ONNX's own protobuf limit).</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Where uploads wait while they are validated; the system's temporary folder when not set.</summary>
    public string? TempDirectory { get; set; }

    /// <summary>The parameter service, which stores the artifacts as blobs.</summary>
    [Required]
    public Uri ParametersAddress { get; set; } = new("http://parameters");

    /// <summary>How long one upload of an artifact to the parameter service may take.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public string TempFolder => TempDirectory ?? Path.GetTempPath();
}
