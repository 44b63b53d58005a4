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

    /// <summary>
    /// Loads <paramref name="modelPath"/> with the first of <paramref name="settings"/>' providers that can, in order of
    /// preference: a provider whose load throws an exception <paramref name="unavailable"/> gives a reason for is passed
    /// over. One log line names the provider chosen and why earlier ones were passed over.
    /// </summary>
    /// <param name="runtime">The runtime, as the log line names it (<c>ONNX Runtime</c>, <c>libtorch</c>).</param>
    /// <param name="nameOf">How the runtime names a provider in its messages.</param>
    /// <exception cref="EngineLoadException">
    /// No provider was allowed or could load the model, or the first could not and <see cref="EngineSettings.RequireProvider"/> is set.
    /// </exception>
    public static TEngine LoadWithFirstAvailable<TEngine>(
        string runtime, string modelPath, EngineSettings settings, ILogger logger,
        Func<ExecutionProvider, string> nameOf, Func<ExecutionProvider, TEngine> load, Func<Exception, string?> unavailable)
        where TEngine : IInferenceEngine
    {
        if (settings.Providers.Count == 0)
        {
            throw new EngineLoadException("No execution provider was allowed.");
        }

        var passedOver = new List<string>();
        foreach (var provider in settings.Providers)
        {
            TEngine engine;
            try
            {
                engine = load(provider);
            }
            catch (Exception exception) when (unavailable(exception) is { } reason)
            {
                passedOver.Add($"{nameOf(provider)}: {reason}");
                if (settings.RequireProvider)
                {
                    throw new EngineLoadException($"The required execution provider {nameOf(provider)} could not load the model: {reason}", exception);
                }
                continue;
            }

            if (passedOver.Count == 0)
            {
                logger.LogInformation("{Runtime} runs {Model} on {Provider}", runtime, Path.GetFileName(modelPath), engine.Provider);
            }
            else
            {
                logger.LogWarning("{Runtime} runs {Model} on {Provider}; not available: {Failures}",
                    runtime, Path.GetFileName(modelPath), engine.Provider, string.Join("; ", passedOver));
            }
            return engine;
        }

        throw new EngineLoadException($"No execution provider could load the model: {string.Join("; ", passedOver)}");
    }
}

/// <summary>How a deployment's model is run by ONNX Runtime.</summary>
/// <param name="Providers">Tried in order; the first one that loads the model runs it.</param>
/// <param name="RequireProvider">Fail instead of falling back when the first provider cannot load the model.</param>
/// <param name="DeviceId">The GPU for TensorRT and CUDA.</param>
/// <param name="Fp16">Let TensorRT build half-precision engines.</param>
/// <param name="TensorRtCacheFolder">Where TensorRT keeps built engines and timing caches between loads; none when null.</param>
public sealed record EngineSettings(
    IReadOnlyList<ExecutionProvider> Providers, bool RequireProvider = false, int DeviceId = 0, bool Fp16 = false, string? TensorRtCacheFolder = null);
