namespace NovaBrain.ModelServing.Engines;

/// <summary>
/// The outputs of one engine run, still in the engine's memory until disposed. The batcher copies each request's rows
/// out of them once (<see cref="CopyRows"/>), which is the only copy an output makes on its way to the response.
/// </summary>
public abstract class EngineOutputs : IDisposable
{
    public abstract string Name(int output);

    public abstract TensorDataType DataType(int output);

    public abstract long[] Shape(int output);

    /// <summary>Rows [<paramref name="firstRow"/>, +<paramref name="rows"/>) of an output's first dimension, copied out in the protocol's raw form.</summary>
    public abstract TensorData CopyRows(int output, long firstRow, long rows);

    /// <summary>The whole output, copied out in the protocol's raw form.</summary>
    public TensorData CopyAll(int output)
    {
        var shape = Shape(output);
        return shape.Length == 0 ? CopyRows(output, 0, 1) : CopyRows(output, 0, shape[0]);
    }

    public abstract void Dispose();
}
