using NovaBrain.ModelServing.Batching;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Metrics;
using NovaBrain.ModelServing.Protocol;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// One loaded, warmed-up model version of a deployment: its engine instances behind a batcher. Disposing it stops new
/// requests, lets queued and running ones finish, and then frees the sessions and their memory.
/// </summary>
public sealed class ServedModel : IAsyncDisposable
{
    private readonly IReadOnlyList<IInferenceEngine> instances;
    private readonly DynamicBatcher batcher;

    public ServedModel(
        string name, ResolvedModel source, IReadOnlyList<IInferenceEngine> instances, BatchingSettings batching, double? samplingRate, ServingMetrics metrics, ILogger logger)
    {
        Name = name;
        Source = source;
        this.instances = instances;
        Batching = batching;
        SamplingRate = samplingRate;
        var engine = instances[0];
        Statistics = new ModelStatistics(metrics, name, Version, engine.Provider);
        batcher = new DynamicBatcher(instances, batching, Statistics, logger);
    }

    public string Name { get; }

    public ResolvedModel Source { get; }

    /// <summary>The registry version, as the protocol writes versions.</summary>
    public string Version => Source.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string Platform => instances[0].Platform;

    public string Provider => instances[0].Provider;

    public EngineThreads Threads => instances[0].Threads;

    public IReadOnlyList<TensorSpec> Inputs => instances[0].Inputs;

    public IReadOnlyList<TensorSpec> Outputs => instances[0].Outputs;

    public BatchingSettings Batching { get; }

    /// <summary>The share of its requests published for drift monitoring; null for the service's configured rate.</summary>
    public double? SamplingRate { get; }

    public ModelStatistics Statistics { get; }

    /// <summary>Checks a request against the model and turns it into queued work; every refusal is bad input (400).</summary>
    public InferenceWork CreateWork(InferenceRequest request, CancellationToken aborted)
    {
        var ordered = new TensorData[Inputs.Count];
        foreach (var input in request.Inputs)
        {
            var index = IndexOf(Inputs, input.Name);
            if (index < 0)
            {
                throw InferenceException.BadInput($"unexpected inference input '{input.Name}' for model '{Name}'");
            }
            if (ordered[index] is not null)
            {
                throw InferenceException.BadInput($"input '{input.Name}' is given more than once");
            }
            Validate(input, Inputs[index]);
            ordered[index] = input;
        }
        for (var i = 0; i < ordered.Length; i++)
        {
            if (ordered[i] is null)
            {
                throw InferenceException.BadInput($"expected {Inputs.Count} inputs but got {request.Inputs.Count} inputs for model '{Name}': input '{Inputs[i].Name}' is missing");
            }
        }

        foreach (var output in request.Outputs)
        {
            if (IndexOf(Outputs, output) < 0)
            {
                throw InferenceException.BadInput($"unexpected inference output '{output}' for model '{Name}'");
            }
        }
        var outputs = request.Outputs.Count > 0 ? request.Outputs : Outputs.Select(output => output.Name).ToArray();
        if (request.Priority < 0 || request.Priority > Batching.PriorityLevels)
        {
            throw InferenceException.BadInput($"priority {request.Priority} is outside 0 (default) to {Batching.PriorityLevels} for model '{Name}'");
        }

        return new InferenceWork(ordered, outputs, RowsOf(ordered), request.Timeout, aborted, request.Priority);
    }

    public SubmitResult Submit(InferenceWork work) => batcher.Submit(work);

    private long RowsOf(TensorData[] inputs)
    {
        if (!batcher.IsBatching)
        {
            return 1;
        }
        var rows = inputs[0].Shape[0];
        if (inputs.Any(input => input.Shape[0] != rows))
        {
            throw InferenceException.BadInput($"inputs of model '{Name}' must all have the same batch size (first dimension)");
        }
        if (rows < 1 || rows > Batching.MaxBatchSize)
        {
            throw InferenceException.BadInput(
                $"inference request batch-size must be between 1 and {Batching.MaxBatchSize} for '{Name}', got {rows}");
        }
        return rows;
    }

    private static void Validate(TensorData input, TensorSpec spec)
    {
        if (input.DataType != spec.DataType)
        {
            throw InferenceException.BadInput(
                $"unexpected datatype {input.DataType.ProtocolName()} for inference input '{input.Name}', expecting {spec.DataType.ProtocolName()}");
        }
        var matches = input.Shape.Length == spec.Shape.Length;
        for (var d = 0; matches && d < spec.Shape.Length; d++)
        {
            matches = input.Shape[d] >= 0 && (spec.Shape[d] == -1 || spec.Shape[d] == input.Shape[d]);
        }
        if (!matches)
        {
            throw InferenceException.BadInput(
                $"unexpected shape for input '{input.Name}', model expects [{string.Join(",", spec.Shape)}], got [{string.Join(",", input.Shape)}]");
        }

        var elements = input.ElementCount;
        if (input.DataType == TensorDataType.Bytes)
        {
            if (!Tensors.TryCountBytesElements(input.Data.Span, out var count) || count != elements)
            {
                throw InferenceException.BadInput($"input '{input.Name}' holds a different number of BYTES elements than its shape [{string.Join(",", input.Shape)}] needs");
            }
        }
        else if (elements < 0 || input.Data.Length != elements * input.DataType.ElementSize())
        {
            throw InferenceException.BadInput(
                $"input '{input.Name}' has {input.Data.Length} bytes of data; shape [{string.Join(",", input.Shape)}] of {input.DataType.ProtocolName()} needs {elements * input.DataType.ElementSize()}");
        }
    }

    private static int IndexOf(IReadOnlyList<TensorSpec> specs, string name)
    {
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].Name == name)
            {
                return i;
            }
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await batcher.DisposeAsync();
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }
}
