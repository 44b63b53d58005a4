namespace NovaBrain.AppHost.Publishing;

/// <summary>
/// The resource runs on NVIDIA GPU nodes when published: it requests <see cref="Count"/> GPUs, requires nodes that
/// have them (of <see cref="Product"/> when named) and tolerates their taint.
/// </summary>
/// <param name="Count">Whole GPUs per replica (<c>nvidia.com/gpu</c> limit).</param>
/// <param name="Product">The GPU Feature Discovery product label, e.g. <c>NVIDIA-A100-SXM4-80GB</c>; null for any GPU.</param>
/// <param name="SharedMemory">The size of the memory-backed <c>/dev/shm</c>.</param>
/// <param name="ModelLoadTime">How long the startup probe waits for the process to come up (loading models, CUDA init).</param>
public sealed record GpuAnnotation(int Count, string? Product, string SharedMemory, TimeSpan ModelLoadTime) : IResourceAnnotation
{
    public const string DefaultSharedMemory = "2Gi";
    public static readonly TimeSpan DefaultModelLoadTime = TimeSpan.FromMinutes(15);
}

/// <summary>The settings that select CUDA in each GPU service, given with <see cref="GpuPlacementExtensions.WithGpu"/>.</summary>
public static class CudaSettings
{
    /// <summary>ONNX Runtime in model serving: TensorRT, then CUDA, then the CPU for what neither runs.</summary>
    public static IReadOnlyDictionary<string, string> ModelServing { get; } = new Dictionary<string, string>
    {
        ["ModelServing__Defaults__Providers__0"] = "TensorRT",
        ["ModelServing__Defaults__Providers__1"] = "CUDA",
        ["ModelServing__Defaults__Providers__2"] = "CPU",
    };
}
