namespace NovaBrain.Parameters.Tensors;

/// <summary>Reads float tensors element by element as doubles, whatever their float dtype, in blocks.</summary>
public sealed class FloatReader(TensorFile file, TensorEntry tensor, CancellationToken cancellationToken) : IAsyncDisposable
{
    private readonly IAsyncEnumerator<ReadOnlyMemory<byte>> chunks = file.ReadAsync(tensor, cancellationToken).GetAsyncEnumerator(cancellationToken);
    private readonly int elementSize = TensorDtypes.SizeOf(tensor.Dtype) ?? throw new ArgumentException($"{tensor.Dtype} has no element size.", nameof(tensor));
    private ReadOnlyMemory<byte> pending;

    /// <summary>Fills <paramref name="block"/> with the next elements; returns how many (fewer only at the end).</summary>
    public async Task<int> ReadAsync(double[] block)
    {
        var filled = 0;
        while (filled < block.Length)
        {
            if (pending.IsEmpty)
            {
                if (!await chunks.MoveNextAsync())
                {
                    break;
                }
                pending = chunks.Current;
            }

            var take = Math.Min(block.Length - filled, pending.Length / elementSize);
            Decode(pending.Span, block.AsSpan(filled, take));
            pending = pending[(take * elementSize)..];
            filled += take;
        }
        return filled;
    }

    public ValueTask DisposeAsync() => chunks.DisposeAsync();

    private void Decode(ReadOnlySpan<byte> bytes, Span<double> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = TensorDtypes.ReadFloat(bytes, tensor.Dtype, i);
        }
    }
}
