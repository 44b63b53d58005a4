namespace NovaBrain.ModelServing.Engines;

/// <summary>Where ONNX Runtime runs a model: TensorRT and CUDA on an NVIDIA GPU, or the CPU.</summary>
public enum ExecutionProvider
{
    TensorRT,
    Cuda,
    Cpu,
}

public static class ExecutionProviders
{
    /// <summary>The name ONNX Runtime gives the provider, shown in metadata, status and metric labels.</summary>
    public static string OnnxRuntimeName(this ExecutionProvider provider) => provider switch
    {
        ExecutionProvider.TensorRT => "TensorrtExecutionProvider",
        ExecutionProvider.Cuda => "CUDAExecutionProvider",
        _ => "CPUExecutionProvider",
    };

    /// <summary>Parses <c>tensorrt</c>, <c>cuda</c> or <c>cpu</c>, in any case.</summary>
    public static bool TryParse(string? name, out ExecutionProvider provider) =>
        Enum.TryParse(name, ignoreCase: true, out provider) && Enum.IsDefined(provider) && !int.TryParse(name, out _);
}

/// <summary>How a deployment's model is run by ONNX Runtime.</summary>
/// <param name="Providers">Tried in order; the first one that loads the model runs it.</param>
/// <param name="RequireProvider">Fail instead of falling back when the first provider cannot load the model.</param>
/// <param name="DeviceId">The GPU for TensorRT and CUDA.</param>
/// <param name="Fp16">Let TensorRT build half-precision engines.</param>
/// <param name="TensorRtCacheFolder">Where TensorRT keeps built engines and timing caches between loads; none when null.</param>
public sealed record EngineSettings(
    IReadOnlyList<ExecutionProvider> Providers, bool RequireProvider = false, int DeviceId = 0, bool Fp16 = false, string? TensorRtCacheFolder = null);
