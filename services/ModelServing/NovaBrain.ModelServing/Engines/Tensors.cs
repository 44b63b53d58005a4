using System.Buffers.Binary;

namespace NovaBrain.ModelServing.Engines;

/// <summary>A model input or output as the protocol describes it: a variable dimension is -1.</summary>
public sealed record TensorSpec(string Name, TensorDataType DataType, long[] Shape)
{
    /// <summary>Whether the first dimension is variable, so requests can be stacked along it.</summary>
    public bool HasBatchDimension => Shape.Length > 0 && Shape[0] == -1;
}

/// <summary>
/// A tensor's values in the protocol's raw form: flat, row-major, little-endian, no padding; a BYTES element is a
/// 4-byte little-endian length followed by that many bytes.
/// </summary>
public sealed record TensorData(string Name, TensorDataType DataType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    public long ElementCount => Tensors.ElementCount(Shape);
}

public static class Tensors
{
    /// <summary>The number of elements a shape holds; -1 when a dimension is negative or the count overflows.</summary>
    public static long ElementCount(ReadOnlySpan<long> shape)
    {
        long count = 1;
        foreach (var dimension in shape)
        {
            if (dimension < 0)
            {
                return -1;
            }
            try
            {
                count = checked(count * dimension);
            }
            catch (OverflowException)
            {
                return -1;
            }
        }
        return count;
    }

    /// <summary>Counts the length-prefixed elements of BYTES data; false when the data does not split into whole elements.</summary>
    public static bool TryCountBytesElements(ReadOnlySpan<byte> data, out long count)
    {
        count = 0;
        while (!data.IsEmpty)
        {
            if (data.Length < sizeof(uint))
            {
                return false;
            }
            var length = BinaryPrimitives.ReadUInt32LittleEndian(data);
            if (length > data.Length - sizeof(uint))
            {
                return false;
            }
            data = data[(sizeof(uint) + (int)length)..];
            count++;
        }
        return true;
    }

    /// <summary>Each BYTES element's content, without its length prefix.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> BytesElements(ReadOnlyMemory<byte> data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.Span[offset..]);
            yield return data.Slice(offset + sizeof(uint), length);
            offset += sizeof(uint) + length;
        }
    }
}
