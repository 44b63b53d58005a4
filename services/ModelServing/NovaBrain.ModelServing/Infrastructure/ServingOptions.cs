using System.ComponentModel.DataAnnotations;

namespace NovaBrain.ModelServing.Infrastructure;

/// <summary>Bound from <c>ModelServing</c>.</summary>
public sealed class ServingOptions
{
    public const string SectionName = "ModelServing";

    [Required]
    public ArtifactCacheOptions Cache { get; set; } = new();

    /// <summary>What a deployment gets for every setting it leaves out.</summary>
    [Required]
    public DeploymentDefaults Defaults { get; set; } = new();

    /// <summary>How long a protocol <c>load</c> call waits for its model to become ready.</summary>
    public TimeSpan LoadWaitTimeout { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class ArtifactCacheOptions
{
    /// <summary>The folder model files are kept in; <c>&lt;content root&gt;/data/model-cache</c> when not set.</summary>
    public string? Root { get; set; }

    /// <summary>The most bytes the cache keeps; the least recently used files go first. 20 GiB by default.</summary>
    [Range(1, long.MaxValue)]
    public long MaxBytes { get; set; } = 20L * 1024 * 1024 * 1024;
}

public sealed class DeploymentDefaults
{
    /// <summary>Execution providers in order of preference: <c>TensorRT</c>, <c>CUDA</c>, <c>CPU</c>.</summary>
    public string[] Providers { get; set; } = ["CUDA", "CPU"];

    [Range(1, 64)]
    public int Instances { get; set; } = 1;

    [Range(0, 65536)]
    public int MaxBatchSize { get; set; } = 32;

    [Range(0, 60_000_000)]
    public int MaxQueueDelayMicroseconds { get; set; }

    [Range(0, 1_000_000)]
    public int MaxQueueSize { get; set; } = 1024;
}
