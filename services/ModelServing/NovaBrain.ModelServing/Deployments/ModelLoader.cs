using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Metrics;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// Turns a deployment spec into a served model: resolves the reference in the registry, fetches the artifact into the
/// cache, loads an engine instance per configured instance and warms each up at batch 1 and at the max batch size, so
/// the first real request pays no start-up cost.
/// </summary>
public sealed class ModelLoader(RegistryClient registry, ArtifactCache cache, ServingMetrics metrics, ILoggerFactory loggerFactory)
{
    public const string OnnxFormat = "onnx";
    public const string TorchScriptFormat = "torchscript";

    private readonly ILogger logger = loggerFactory.CreateLogger<ModelLoader>();

    /// <exception cref="ModelResolutionException">The registry refused the reference.</exception>
    /// <exception cref="ArtifactException">The artifact could not be fetched or verified.</exception>
    /// <exception cref="EngineLoadException">No allowed provider could load or run the model.</exception>
    public async Task<ServedModel> LoadAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        var resolved = await registry.ResolveAsync(spec.Model, cancellationToken);
        var loadEngine = EngineFor(resolved, spec);
        var path = await cache.GetAsync(resolved.Artifact.Digest, resolved.Artifact.SizeBytes, cancellationToken);

        var instances = new List<IInferenceEngine>();
        try
        {
            for (var i = 0; i < spec.Instances; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var engine = await Task.Run(() => loadEngine(path), cancellationToken);
                instances.Add(engine);
                await Task.Run(() => WarmUp(engine, spec), cancellationToken);
            }
            logger.LogInformation("Deployment {Deployment} loaded {Model} version {Version} on {Provider} ({Instances} instances)",
                spec.Name, resolved.Model, resolved.Version, instances[0].Provider, instances.Count);
            return new ServedModel(spec.Name, resolved, instances, spec.Batching, spec.SamplingRate, metrics, loggerFactory.CreateLogger<ServedModel>());
        }
        catch
        {
            foreach (var instance in instances)
            {
                instance.Dispose();
            }
            throw;
        }
    }

    /// <summary>How the version's format is loaded: ONNX by ONNX Runtime, TorchScript by libtorch with its registered signature.</summary>
    private Func<string, IInferenceEngine> EngineFor(ResolvedModel resolved, DeploymentSpec spec)
    {
        if (string.Equals(resolved.Format, OnnxFormat, StringComparison.OrdinalIgnoreCase))
        {
            return path => OnnxRuntimeEngine.Load(path, spec.Engine, logger);
        }
        if (string.Equals(resolved.Format, TorchScriptFormat, StringComparison.OrdinalIgnoreCase))
        {
            var inputs = SpecsOf(resolved, resolved.Signature?.Inputs);
            var outputs = SpecsOf(resolved, resolved.Signature?.Outputs);
            return path => TorchScriptEngine.Load(path, inputs, outputs, spec.Engine, logger);
        }
        throw new EngineLoadException(
            $"{spec.Model} resolved to version {resolved.Version} in format '{resolved.Format}'; '{OnnxFormat}' and '{TorchScriptFormat}' models are served.");
    }

    private static TensorSpec[] SpecsOf(ResolvedModel resolved, IReadOnlyList<RegisteredTensor>? tensors) => (tensors ?? []).Select(tensor =>
        TensorDataTypes.TryParse(tensor.Datatype, out var type)
            ? new TensorSpec(tensor.Name, type, tensor.Shape.ToArray())
            : throw new EngineLoadException($"Version {resolved.Version} of {resolved.Model} declares '{tensor.Name}' as {tensor.Datatype}, which is not an inference protocol datatype."))
        .ToArray();

    /// <summary>Runs generated inputs (zeros, empty strings) through the engine at batch 1 and at the max batch size.</summary>
    public static void WarmUp(IInferenceEngine engine, DeploymentSpec spec)
    {
        var batchSizes = engine.Inputs.All(input => input.HasBatchDimension) && spec.Batching.MaxBatchSize > 1
            ? new long[] { 1, spec.Batching.MaxBatchSize }
            : [1];
        var outputs = engine.Outputs.Select(output => output.Name).ToArray();
        foreach (var batchSize in batchSizes)
        {
            var inputs = engine.Inputs.Select(input => GeneratedInput(input, batchSize)).ToArray();
            try
            {
                using var _ = engine.Run(inputs, outputs);
            }
            catch (Exception exception) when (exception is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException)
            {
                throw new EngineLoadException($"Warm-up at batch size {batchSize} failed: {exception.Message}", exception);
            }
        }
    }

    private static TensorData GeneratedInput(TensorSpec spec, long batchSize)
    {
        var shape = spec.Shape.Select((dimension, index) => dimension >= 0 ? dimension : index == 0 ? batchSize : 1).ToArray();
        var elements = Tensors.ElementCount(shape);
        // Zero bytes are zeros of every numeric type, and, four at a time, empty BYTES elements.
        var size = spec.DataType == TensorDataType.Bytes ? elements * sizeof(uint) : elements * spec.DataType.ElementSize();
        return new TensorData(spec.Name, spec.DataType, shape, new byte[size]);
    }
}
