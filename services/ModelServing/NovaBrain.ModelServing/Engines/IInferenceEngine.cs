namespace NovaBrain.ModelServing.Engines;

/// <summary>One loaded instance of a model that runs batches of inputs; safe to call from several threads.</summary>
public interface IInferenceEngine : IDisposable
{
    /// <summary>The protocol's platform name (<c>onnxruntime_onnx</c>).</summary>
    string Platform { get; }

    /// <summary>The execution provider that runs the model (<c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>...).</summary>
    string Provider { get; }

    /// <summary>The CPU threads one run may use, and whether they are a pool the whole process shares.</summary>
    EngineThreads Threads { get; }

    IReadOnlyList<TensorSpec> Inputs { get; }

    IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Runs the model on <paramref name="inputs"/> (every model input, any order) and returns <paramref name="outputNames"/>.</summary>
    EngineOutputs Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames);
}

/// <param name="IntraOp">Threads that may work on one operator of one run.</param>
/// <param name="Shared">Whether they are one pool for every model and instance of the process, rather than the instance's own.</param>
public sealed record EngineThreads(int IntraOp, bool Shared);
