using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace NovaBrain.Parameters.Tensors;

/// <summary>
/// A safetensors file: an 8-byte little-endian header length, a JSON header (tensor name → dtype, shape and
/// <c>data_offsets</c> into the data section; <c>__metadata__</c> → strings), then the data. Only the header is read
/// into memory; tensors are read from the blob in chunks.
/// </summary>
public sealed class SafetensorsFile : TensorFile
{
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted, as the safetensors library itself limits it.</summary>
    public const int MaxHeaderBytes = 100 * 1024 * 1024;

    private readonly Stream content;
    private readonly Dictionary<string, long> dataOffsets;

    private SafetensorsFile(Stream content, IReadOnlyList<TensorEntry> tensors, Dictionary<string, long> dataOffsets, IReadOnlyDictionary<string, string> metadata)
    {
        this.content = content;
        this.dataOffsets = dataOffsets;
        Tensors = tensors;
        Metadata = metadata;
    }

    public override string Layout => TensorLayouts.Safetensors;

    public override IReadOnlyList<TensorEntry> Tensors { get; }

    public override IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and checks the header of a seekable stream, which the file then owns.</summary>
    /// <exception cref="InvalidTensorFileException">Not a valid safetensors file.</exception>
    public static async Task<SafetensorsFile> OpenAsync(Stream content, CancellationToken cancellationToken)
    {
        var length = content.Length;
        if (length < 8)
        {
            throw Invalid($"The file has {length} bytes, fewer than the 8 of its header length.");
        }

        var prefix = new byte[8];
        await content.ReadExactlyAsync(prefix, cancellationToken);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes || (long)headerLength > length - 8)
        {
            throw Invalid($"The header length {headerLength} exceeds the file ({length} bytes) or the limit of {MaxHeaderBytes} bytes.");
        }

        var header = new byte[headerLength];
        await content.ReadExactlyAsync(header, cancellationToken);
        var dataStart = 8 + (long)headerLength;
        var (tensors, offsets, metadata) = ParseHeader(header, length - dataStart);
        return new SafetensorsFile(content, tensors, offsets.ToDictionary(pair => pair.Key, pair => dataStart + pair.Value, StringComparer.Ordinal), metadata);
    }

    public override async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(TensorEntry tensor, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        content.Seek(dataOffsets[tensor.Name], SeekOrigin.Begin);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (var remaining = tensor.ByteSize; remaining > 0;)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(ChunkBytes, remaining));
                await content.ReadExactlyAsync(chunk, cancellationToken);
                remaining -= chunk.Length;
                yield return chunk;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override void Dispose() => content.Dispose();

    /// <summary>The header's tensors in data order, their offsets into the data section and the metadata.</summary>
    private static (List<TensorEntry> Tensors, Dictionary<string, long> Offsets, Dictionary<string, string> Metadata) ParseHeader(byte[] header, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException exception)
        {
            throw Invalid($"The header is not JSON: {exception.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid("The header is not a JSON object.");
            }

            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<(TensorEntry Tensor, long Begin, long End)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw Invalid($"'{property.Name}' appears twice in the header.");
                }
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                    continue;
                }
                entries.Add(ReadTensor(property.Name, property.Value, dataLength));
            }

            entries.Sort((left, right) => left.Begin.CompareTo(right.Begin));
            for (var i = 1; i < entries.Count; i++)
            {
                if (entries[i].Begin < entries[i - 1].End)
                {
                    throw Invalid($"The data of '{entries[i].Tensor.Name}' overlaps that of '{entries[i - 1].Tensor.Name}'.");
                }
            }

            return (entries.Select(entry => entry.Tensor).ToList(), entries.ToDictionary(entry => entry.Tensor.Name, entry => entry.Begin, StringComparer.Ordinal), metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"{MetadataKey} is not an object.");
        }
        foreach (var entry in value.EnumerateObject())
        {
            metadata[entry.Name] = entry.Value.ValueKind == JsonValueKind.String
                ? entry.Value.GetString()!
                : throw Invalid($"{MetadataKey}.{entry.Name} is not a string.");
        }
    }

    private static (TensorEntry Tensor, long Begin, long End) ReadTensor(string name, JsonElement value, long dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object ||
            !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String ||
            !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array ||
            !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"'{name}' is not an object with dtype, shape and data_offsets.");
        }

        var dtype = dtypeElement.GetString()!;
        if (TensorDtypes.SizeOf(dtype) is not { } elementSize)
        {
            throw Invalid($"'{name}' has the unknown dtype '{dtype}'.");
        }

        var shape = new long[shapeElement.GetArrayLength()];
        var i = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt64(out var size) || size < 0)
            {
                throw Invalid($"The shape of '{name}' is not a list of non-negative integers.");
            }
            shape[i++] = size;
        }

        var offsets = offsetsElement.EnumerateArray().ToList();
        if (offsets.Count != 2 || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) ||
            begin < 0 || end < begin || end > dataLength)
        {
            throw Invalid($"The data_offsets of '{name}' are not [begin, end] within the {dataLength} bytes of data.");
        }

        long byteSize;
        try
        {
            byteSize = checked(TensorDtypes.ElementCount(shape) * elementSize);
        }
        catch (OverflowException)
        {
            throw Invalid($"The shape of '{name}' is too large.");
        }
        if (end - begin != byteSize)
        {
            throw Invalid($"'{name}' ({dtype} {FormatShape(shape)}) needs {byteSize} bytes, but its data_offsets span {end - begin}.");
        }

        return (new TensorEntry(name, dtype, shape, byteSize), begin, end);
    }

    private static string FormatShape(long[] shape) => $"[{string.Join(", ", shape)}]";

    private static InvalidTensorFileException Invalid(string message) => new(TensorLayouts.Safetensors, message);
}
