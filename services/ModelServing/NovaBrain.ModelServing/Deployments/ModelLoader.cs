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

    private readonly ILogger logger = loggerFactory.CreateLogger<ModelLoader>();

    /// <exception cref="ModelResolutionException">The registry refused the reference.</exception>
    /// <exception cref="ArtifactException">The artifact could not be fetched or verified.</exception>
    /// <exception cref="EngineLoadException">No allowed provider could load or run the model.</exception>
    public async Task<ServedModel> LoadAsync(DeploymentSpec spec, CancellationToken cancellationToken)
    {
        var resolved = await registry.ResolveAsync(spec.Model, cancellationToken);
        if (!string.Equals(resolved.Format, OnnxFormat, StringComparison.OrdinalIgnoreCase))
        {
            throw new EngineLoadException($"{spec.Model} resolved to version {resolved.Version} in format '{resolved.Format}'; only '{OnnxFormat}' models are served.");
        }
        var path = await cache.GetAsync(resolved.Artifact.Digest, resolved.Artifact.SizeBytes, cancellationToken);

        var instances = new List<IInferenceEngine>();
        try
        {
            for (var i = 0; i < spec.Instances; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var engine = await Task.Run(() => OnnxRuntimeEngine.Load(path, spec.Engine, logger), cancellationToken);
                instances.Add(engine);
                await Task.Run(() => WarmUp(engine, spec), cancellationToken);
            }
            logger.LogInformation("Deployment {Deployment} loaded {Model} version {Version} on {Provider} ({Instances} instances)",
                spec.Name, resolved.Model, resolved.Version, instances[0].Provider, instances.Count);
            return new ServedModel(spec.Name, resolved, instances, spec.Batching, metrics, loggerFactory.CreateLogger<ServedModel>());
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
            catch (Exception exception) when (exception is Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
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
