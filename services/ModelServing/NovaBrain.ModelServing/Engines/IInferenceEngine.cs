namespace NovaBrain.ModelServing.Engines;

/// <summary>One loaded instance of a model that runs batches of inputs; safe to call from several threads.</summary>
public interface IInferenceEngine : IDisposable
{
    /// <summary>The protocol's platform name (<c>onnxruntime_onnx</c>).</summary>
    string Platform { get; }

    /// <summary>The execution provider that runs the model (<c>CPUExecutionProvider</c>, <c>CUDAExecutionProvider</c>...).</summary>
    string Provider { get; }

    IReadOnlyList<TensorSpec> Inputs { get; }

    IReadOnlyList<TensorSpec> Outputs { get; }

    /// <summary>Runs the model on <paramref name="inputs"/> (every model input, any order) and returns <paramref name="outputNames"/>.</summary>
    EngineOutputs Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames);
}
