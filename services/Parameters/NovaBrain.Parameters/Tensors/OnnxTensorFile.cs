using System.Runtime.InteropServices;
using Google.Protobuf;
using NovaBrain.Onnx.Format;
using DataType = NovaBrain.Onnx.Format.TensorProto.Types.DataType;

namespace NovaBrain.Parameters.Tensors;

/// <summary>
/// An ONNX model's graph initializers as tensors. Protobuf has no random access, so the model is parsed whole
/// (ONNX files are at most 2 GB; larger models keep their weights in external data, which is refused).
/// </summary>
public sealed class OnnxTensorFile : TensorFile
{
    private static readonly Dictionary<int, string> Dtypes = new()
    {
        [(int)DataType.Float] = TensorDtypes.F32,
        [(int)DataType.Uint8] = "U8",
        [(int)DataType.Int8] = TensorDtypes.I8,
        [(int)DataType.Uint16] = "U16",
        [(int)DataType.Int16] = "I16",
        [(int)DataType.Int32] = "I32",
        [(int)DataType.Int64] = "I64",
        [(int)DataType.String] = TensorDtypes.String,
        [(int)DataType.Bool] = "BOOL",
        [(int)DataType.Float16] = TensorDtypes.F16,
        [(int)DataType.Double] = TensorDtypes.F64,
        [(int)DataType.Uint32] = "U32",
        [(int)DataType.Uint64] = "U64",
        [(int)DataType.Complex64] = "C64",
        [(int)DataType.Complex128] = "C128",
        [(int)DataType.Bfloat16] = TensorDtypes.BF16,
        [17] = "F8_E4M3", // FLOAT8E4M3FN
        [19] = "F8_E5M2", // FLOAT8E5M2
    };

    private readonly Dictionary<string, TensorProto> initializers;

    private OnnxTensorFile(ModelProto model, IReadOnlyList<TensorEntry> tensors)
    {
        Model = model;
        Tensors = tensors;
        initializers = model.Graph.Initializer.ToDictionary(initializer => initializer.Name, StringComparer.Ordinal);
        Metadata = model.MetadataProps.ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
    }

    public ModelProto Model { get; }

    public override string Layout => TensorLayouts.Onnx;

    public override IReadOnlyList<TensorEntry> Tensors { get; }

    public override IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Parses a model from <paramref name="content"/>, which it disposes.</summary>
    /// <exception cref="InvalidTensorFileException">Not a valid ONNX model.</exception>
    public static OnnxTensorFile Read(Stream content)
    {
        ModelProto model;
        using (content)
        {
            try
            {
                model = ModelProto.Parser.ParseFrom(content);
            }
            catch (InvalidProtocolBufferException exception)
            {
                throw Invalid($"The file is not an ONNX model: {exception.Message}");
            }
        }

        if (model.IrVersion <= 0 || model.Graph is null)
        {
            throw Invalid("The file is not an ONNX model: it has no IR version or no graph.");
        }
        if (model.Graph.Initializer.GroupBy(initializer => initializer.Name).FirstOrDefault(names => names.Count() > 1) is { } duplicate)
        {
            throw Invalid($"Initializer '{duplicate.Key}' appears {duplicate.Count()} times.");
        }
        return new OnnxTensorFile(model, model.Graph.Initializer.Select(Describe).ToList());
    }

    public static string DtypeOf(int dataType) => Dtypes.TryGetValue(dataType, out var dtype)
        ? dtype
        : throw Invalid($"The ONNX data type {dataType} is not supported.");

    /// <summary>An initializer's elements as little-endian bytes: its raw_data, or its typed field laid out so.</summary>
    public static byte[] BytesOf(TensorProto tensor)
    {
        if (!tensor.RawData.IsEmpty)
        {
            return tensor.RawData.ToByteArray();
        }

        return DtypeOf(tensor.DataType) switch
        {
            TensorDtypes.F32 or "C64" => MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).ToArray(),
            TensorDtypes.F64 or "C128" => MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).ToArray(),
            "I64" => MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).ToArray(),
            "U64" => MemoryMarshal.AsBytes(tensor.Uint64Data.ToArray().AsSpan()).ToArray(),
            "U32" => MemoryMarshal.AsBytes(tensor.Uint64Data.Select(value => (uint)value).ToArray().AsSpan()).ToArray(),
            "I32" => MemoryMarshal.AsBytes(tensor.Int32Data.ToArray().AsSpan()).ToArray(),
            "I16" or "U16" or TensorDtypes.F16 or TensorDtypes.BF16 => MemoryMarshal.AsBytes(tensor.Int32Data.Select(value => (ushort)value).ToArray().AsSpan()).ToArray(),
            TensorDtypes.String => tensor.StringData.SelectMany(value => value.ToByteArray()).ToArray(),
            // int8, uint8, bool and the 8-bit floats: one element per int32.
            _ => tensor.Int32Data.Select(value => (byte)value).ToArray(),
        };
    }

    public TensorProto Initializer(string name) => initializers[name];

    public override IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(TensorEntry tensor, CancellationToken cancellationToken) =>
        AsyncChunks.Of(BytesOf(initializers[tensor.Name]), cancellationToken);

    public override void Dispose()
    {
    }

    private static TensorEntry Describe(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw Invalid($"Initializer '{tensor.Name}' keeps its data outside the file (external data); store a model with its weights inside.");
        }
        if (tensor.Dims.Any(dimension => dimension < 0))
        {
            throw Invalid($"Initializer '{tensor.Name}' has a negative dimension.");
        }

        var dtype = DtypeOf(tensor.DataType);
        var shape = tensor.Dims.ToArray();
        long count;
        try
        {
            count = TensorDtypes.ElementCount(shape);
        }
        catch (OverflowException)
        {
            throw Invalid($"The shape of initializer '{tensor.Name}' is too large.");
        }

        if (dtype == TensorDtypes.String)
        {
            if (tensor.StringData.Count != count)
            {
                throw Invalid($"Initializer '{tensor.Name}' has {tensor.StringData.Count} strings for {count} elements.");
            }
            return new TensorEntry(tensor.Name, dtype, shape, tensor.StringData.Sum(value => (long)value.Length));
        }

        var byteSize = count * TensorDtypes.SizeOf(dtype)!.Value;
        var stored = tensor.RawData.IsEmpty ? BytesOf(tensor).LongLength : tensor.RawData.Length;
        if (stored != byteSize)
        {
            throw Invalid($"Initializer '{tensor.Name}' ({dtype} [{string.Join(", ", shape)}]) needs {byteSize} bytes of data but holds {stored}.");
        }
        return new TensorEntry(tensor.Name, dtype, shape, byteSize);
    }

    private static InvalidTensorFileException Invalid(string message) => new(TensorLayouts.Onnx, message);
}
