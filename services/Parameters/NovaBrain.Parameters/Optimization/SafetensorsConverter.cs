using System.Buffers.Binary;
using System.Text.Json;
using NovaBrain.Parameters.Tensors;

namespace NovaBrain.Parameters.Optimization;

/// <summary>
/// Writes a converted safetensors file: F32 tensors become F16, or I8 with their float32 scales in an extra tensor
/// <c>&lt;name&gt;.scale</c> (shape <c>[]</c> per tensor, <c>[shape[0]]</c> per channel); other tensors are copied.
/// The header is known before any data (sizes do not depend on values), so the file is written front to back,
/// one tensor at a time.
/// </summary>
public static class SafetensorsConverter
{
    public const string ScaleSuffix = ".scale";

    private sealed record Output(string Name, string Dtype, long[] Shape, long ByteSize);

    /// <summary>The tensors whose <c>.scale</c> companions would collide with a tensor of the file, if any.</summary>
    public static IEnumerable<string> ScaleNameClashes(TensorFile source, Conversion conversion) =>
        conversion.To == Conversion.Int8
            ? source.Tensors.Where(tensor => tensor.Dtype == TensorDtypes.F32 && source.Find(tensor.Name + ScaleSuffix) is not null).Select(tensor => tensor.Name)
            : [];

    public static async Task<IReadOnlyList<ConvertedTensor>> WriteAsync(
        TensorFile source, Conversion conversion, IReadOnlyDictionary<string, string> metadata, Stream output, CancellationToken cancellationToken)
    {
        var outputs = source.Tensors.SelectMany(tensor => Plan(tensor, conversion)).ToList();
        await output.WriteAsync(Header(outputs, metadata), cancellationToken);

        var converted = new List<ConvertedTensor>();
        foreach (var tensor in source.Tensors)
        {
            if (tensor.Dtype != TensorDtypes.F32)
            {
                await foreach (var chunk in source.ReadAsync(tensor, cancellationToken))
                {
                    await output.WriteAsync(chunk, cancellationToken);
                }
                continue;
            }

            ErrorStatistics errors;
            string dtype;
            if (conversion.To == Conversion.Float16)
            {
                await using var reader = new FloatReader(source, tensor, cancellationToken);
                errors = await Quantization.ToFloat16Async(reader, output, cancellationToken);
                dtype = TensorDtypes.F16;
            }
            else
            {
                float[] scales;
                await using (var reader = new FloatReader(source, tensor, cancellationToken))
                {
                    scales = await Quantization.ScalesAsync(reader, tensor.ElementCount, ChannelsOf(tensor, conversion));
                }
                await using (var reader = new FloatReader(source, tensor, cancellationToken))
                {
                    errors = await Quantization.ToInt8Async(reader, tensor.ElementCount, scales, output, cancellationToken);
                }
                await output.WriteAsync(Quantization.Float32Bytes(scales), cancellationToken);
                dtype = TensorDtypes.I8;
            }
            converted.Add(new ConvertedTensor(tensor.Name, tensor.Dtype, dtype, tensor.ElementCount, errors.Max, errors.Mean));
        }
        return converted;
    }

    /// <summary>Per channel: one scale per index of axis 0 (a scalar or an empty tensor has one).</summary>
    public static long ChannelsOf(TensorEntry tensor, Conversion conversion) =>
        conversion.IsPerChannel && tensor.Shape.Length > 0 && tensor.Shape[0] > 0 ? tensor.Shape[0] : 1;

    private static IEnumerable<Output> Plan(TensorEntry tensor, Conversion conversion)
    {
        if (tensor.Dtype != TensorDtypes.F32)
        {
            yield return new Output(tensor.Name, tensor.Dtype, tensor.Shape, tensor.ByteSize);
        }
        else if (conversion.To == Conversion.Float16)
        {
            yield return new Output(tensor.Name, TensorDtypes.F16, tensor.Shape, tensor.ElementCount * 2);
        }
        else
        {
            yield return new Output(tensor.Name, TensorDtypes.I8, tensor.Shape, tensor.ElementCount);
            var channels = ChannelsOf(tensor, conversion);
            long[] scaleShape = conversion.IsPerChannel && tensor.Shape.Length > 0 ? [channels] : [];
            yield return new Output(tensor.Name + ScaleSuffix, TensorDtypes.F32, scaleShape, channels * 4);
        }
    }

    /// <summary>The length prefix and the JSON header, padded with spaces to a multiple of 8 bytes as safetensors writes it.</summary>
    private static byte[] Header(IReadOnlyList<Output> outputs, IReadOnlyDictionary<string, string> metadata)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(SafetensorsFile.MetadataKey);
            foreach (var (key, value) in metadata)
            {
                writer.WriteString(key, value);
            }
            writer.WriteEndObject();

            long offset = 0;
            foreach (var tensor in outputs)
            {
                writer.WriteStartObject(tensor.Name);
                writer.WriteString("dtype", tensor.Dtype);
                writer.WriteStartArray("shape");
                foreach (var dimension in tensor.Shape)
                {
                    writer.WriteNumberValue(dimension);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset += tensor.ByteSize);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }

        var length = (json.Length + 7) / 8 * 8;
        var header = new byte[8 + length];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)length);
        json.ToArray().CopyTo(header, 8);
        header.AsSpan(8 + (int)json.Length).Fill((byte)' ');
        return header;
    }
}
