using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NovaBrain.Tests.Parameters;

/// <summary>The safetensors format written and read by hand, independently of the service's reader and writer.</summary>
internal static class Safetensors
{
    public sealed record Tensor(string Name, string Dtype, long[] Shape, byte[] Data);

    public sealed record File(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

    /// <summary>8-byte little-endian header length, the JSON header, then the tensors' data in the given order.</summary>
    public static byte[] Write(IEnumerable<Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is not null)
        {
            header["__metadata__"] = new JsonObject(metadata.Select(entry => KeyValuePair.Create(entry.Key, (JsonNode?)entry.Value)));
        }

        using var data = new MemoryStream();
        foreach (var tensor in tensors)
        {
            header[tensor.Name] = new JsonObject
            {
                ["dtype"] = tensor.Dtype,
                ["shape"] = new JsonArray(tensor.Shape.Select(dimension => (JsonNode?)dimension).ToArray()),
                ["data_offsets"] = new JsonArray(data.Length, data.Length + tensor.Data.Length),
            };
            data.Write(tensor.Data);
        }
        return WithHeader(Encoding.UTF8.GetBytes(header.ToJsonString()), data.ToArray());
    }

    /// <summary>The length prefix and header of a file of one tensor whose <paramref name="byteLength"/> bytes follow.</summary>
    public static byte[] HeaderFor(string name, string dtype, long[] shape, long byteLength)
    {
        var header = new JsonObject
        {
            [name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(shape.Select(dimension => (JsonNode?)dimension).ToArray()),
                ["data_offsets"] = new JsonArray(0, byteLength),
            },
        };
        return WithHeader(Encoding.UTF8.GetBytes(header.ToJsonString()), []);
    }

    /// <summary>A file from a header and data as given, valid or not.</summary>
    public static byte[] WithHeader(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    public static File Read(byte[] file)
    {
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        var dataStart = 8 + headerLength;
        var header = JsonDocument.Parse(file.AsMemory(8, headerLength)).RootElement;
        var tensors = new Dictionary<string, Tensor>();
        var metadata = new Dictionary<string, string>();
        foreach (var property in header.EnumerateObject())
        {
            if (property.Name == "__metadata__")
            {
                foreach (var entry in property.Value.EnumerateObject())
                {
                    metadata[entry.Name] = entry.Value.GetString()!;
                }
                continue;
            }

            var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(offset => offset.GetInt32()).ToArray();
            tensors[property.Name] = new Tensor(
                property.Name,
                property.Value.GetProperty("dtype").GetString()!,
                property.Value.GetProperty("shape").EnumerateArray().Select(dimension => dimension.GetInt64()).ToArray(),
                file[(dataStart + offsets[0])..(dataStart + offsets[1])]);
        }
        return new File(tensors, metadata);
    }

    public static byte[] F32(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }

    public static float[] ToF32(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();

    public static float[] FromF16(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / 2).Select(i => (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(i * 2))).ToArray();

    public static sbyte[] ToI8(byte[] bytes) => bytes.Select(value => (sbyte)value).ToArray();

    /// <summary>Seeded values uniform in [-1, 1].</summary>
    public static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
