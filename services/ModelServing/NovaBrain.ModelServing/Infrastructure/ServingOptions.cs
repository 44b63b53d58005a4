using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace NovaBrain.ModelServing.Infrastructure;

/// <summary>Bound from <c>ModelServing</c>.</summary>
public sealed class ServingOptions
{
    public const string SectionName = "ModelServing";

    [Required, ValidateObjectMembers]
    public ArtifactCacheOptions Cache { get; set; } = new();

    /// <summary>What a deployment gets for every setting it leaves out.</summary>
    [Required, ValidateObjectMembers]
    public DeploymentDefaults Defaults { get; set; } = new();

    /// <summary>How long a protocol <c>load</c> call waits for its model to become ready.</summary>
    public TimeSpan LoadWaitTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Required, ValidateObjectMembers]
    public SamplingOptions Sampling { get; set; } = new();

    [Required, ValidateObjectMembers]
    public BenchmarkOptions Benchmark { get; set; } = new();
}

/// <summary>What the serving benchmark needs from the service; off in production.</summary>
public sealed class BenchmarkOptions
{
    /// <summary>
    /// Serves the transport floor (<c>novabrain.serving.benchmark.TransportFloor/ModelInfer</c>, needing
    /// <c>inference:invoke</c>): same-size answers without inference, the benchmark's row (b).
    /// </summary>
    public bool EchoEnabled { get; set; }
}

/// <summary>Inference requests published with their outputs for drift monitoring (<c>InferenceSampled</c> events).</summary>
public sealed class SamplingOptions
{
    /// <summary>The share of requests sampled, 0 to 1; 0 samples none. A deployment may set its own.</summary>
    [Range(0.0, 1.0)]
    public double Rate { get; set; } = 0.01;

    /// <summary>Tensors with more data than this are left out of a sample (named, with datatype and shape, but no data).</summary>
    [Range(0, 16 * 1024 * 1024)]
    public int MaxTensorBytes { get; set; } = 64 * 1024;

    /// <summary>Samples waiting to be published; while the broker is slow or away, samples beyond it are dropped.</summary>
    [Range(1, 1_000_000)]
    public int QueueCapacity { get; set; } = 1024;

    /// <summary>How long one publish may take before its sample is given up.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(5);
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
