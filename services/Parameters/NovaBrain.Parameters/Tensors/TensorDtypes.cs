using System.Buffers.Binary;

namespace NovaBrain.Parameters.Tensors;

/// <summary>
/// The one vocabulary of element types, safetensors' own names (<c>F32</c>, <c>BF16</c>, <c>I8</c>...); ONNX
/// data types are mapped onto it.
/// </summary>
public static class TensorDtypes
{
    public const string F64 = "F64";
    public const string F32 = "F32";
    public const string F16 = "F16";
    public const string BF16 = "BF16";
    public const string I8 = "I8";

    /// <summary>ONNX strings: variable-length, so without an element size.</summary>
    public const string String = "STRING";

    private static readonly Dictionary<string, int> Sizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, [I8] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["U16"] = 2, ["I16"] = 2, [F16] = 2, [BF16] = 2,
        ["U32"] = 4, ["I32"] = 4, [F32] = 4,
        ["U64"] = 8, ["I64"] = 8, [F64] = 8, ["C64"] = 8,
        ["C128"] = 16,
    };

    /// <summary>Bytes per element; null for <see cref="String"/> and unknown names.</summary>
    public static int? SizeOf(string dtype) => Sizes.TryGetValue(dtype, out var size) ? size : null;

    public static bool IsKnown(string dtype) => Sizes.ContainsKey(dtype);

    /// <summary>The real floating-point types whose values can be compared and converted.</summary>
    public static bool IsFloat(string dtype) => dtype is F64 or F32 or F16 or BF16;

    /// <summary>Element <paramref name="index"/> of little-endian <paramref name="data"/> of a float dtype.</summary>
    public static double ReadFloat(ReadOnlySpan<byte> data, string dtype, int index) => dtype switch
    {
        F32 => BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]),
        F16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(index * 2)..]),
        BF16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]) << 16),
        F64 => BinaryPrimitives.ReadDoubleLittleEndian(data[(index * 8)..]),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a float dtype."),
    };

    /// <summary>Elements of a shape; checked, so a header claiming an absurd shape is caught rather than wrapped.</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        var count = 1L;
        foreach (var dimension in shape)
        {
            count = checked(count * dimension);
        }
        return count;
    }
}
