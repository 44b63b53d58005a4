using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using NovaBrain.ModelServing.Engines;

namespace NovaBrain.ModelServing.Protocol.Rest;

/// <summary>A REST inference request and how its outputs are to be written: as JSON data or as binary tensor data.</summary>
public sealed record RestInferenceRequest(InferenceRequest Request, bool BinaryByDefault, IReadOnlyDictionary<string, bool> BinaryByOutput)
{
    public bool IsBinary(string output) => BinaryByOutput.TryGetValue(output, out var binary) ? binary : BinaryByDefault;
}

/// <summary>
/// The protocol's JSON inference request and response, with Triton's binary tensor data extension: tensors whose
/// <c>binary_data_size</c> parameter is set travel as raw bytes after the JSON, whose length the
/// <c>Inference-Header-Content-Length</c> header gives.
/// </summary>
public static class RestInferenceCodec
{
    public const string HeaderLength = "Inference-Header-Content-Length";
    public const string BinaryDataSize = "binary_data_size";
    public const string BinaryData = "binary_data";
    public const string BinaryDataOutput = "binary_data_output";
    public const string Timeout = "timeout";
    public const string Priority = "priority";

    /// <exception cref="InferenceException">The request is malformed (bad input).</exception>
    public static RestInferenceRequest Decode(ReadOnlyMemory<byte> json, ReadOnlyMemory<byte> binary, string model, string? version)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw InferenceException.BadInput($"failed to parse the request JSON: {exception.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw InferenceException.BadInput("the request must be a JSON object");
            }

            string? id = null;
            if (root.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null)
            {
                id = idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : throw InferenceException.BadInput("'id' must be a string");
            }

            var (binaryByDefault, timeout, priority) = (false, (TimeSpan?)null, 0);
            if (root.TryGetProperty("parameters", out var parameters))
            {
                RequireObject(parameters, "parameters");
                binaryByDefault = parameters.TryGetProperty(BinaryDataOutput, out var binaryOutput) && Bool(binaryOutput, BinaryDataOutput);
                if (parameters.TryGetProperty(Timeout, out var timeoutElement))
                {
                    timeout = timeoutElement.TryGetInt64(out var microseconds) && microseconds > 0
                        ? TimeSpan.FromMicroseconds(microseconds)
                        : throw InferenceException.BadInput("the 'timeout' parameter must be a positive number of microseconds");
                }
                if (parameters.TryGetProperty(Priority, out var priorityElement))
                {
                    priority = priorityElement.TryGetInt32(out var level) && level >= 0
                        ? level
                        : throw InferenceException.BadInput("the 'priority' parameter must be a non-negative integer (0 for the default level)");
                }
            }

            if (!root.TryGetProperty("inputs", out var inputsElement) || inputsElement.ValueKind != JsonValueKind.Array)
            {
                throw InferenceException.BadInput("the request must have an 'inputs' array");
            }
            var inputs = new List<TensorData>();
            var binaryOffset = 0;
            foreach (var input in inputsElement.EnumerateArray())
            {
                inputs.Add(DecodeInput(input, binary, ref binaryOffset));
            }

            var outputs = new List<string>();
            var binaryByOutput = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (root.TryGetProperty("outputs", out var outputsElement))
            {
                if (outputsElement.ValueKind != JsonValueKind.Array)
                {
                    throw InferenceException.BadInput("'outputs' must be an array");
                }
                foreach (var output in outputsElement.EnumerateArray())
                {
                    RequireObject(output, "an output");
                    var name = RequiredString(output, "name", "an output");
                    outputs.Add(name);
                    if (output.TryGetProperty("parameters", out var outputParameters) && outputParameters.ValueKind == JsonValueKind.Object &&
                        outputParameters.TryGetProperty(BinaryData, out var binaryFlag))
                    {
                        binaryByOutput[name] = Bool(binaryFlag, BinaryData);
                    }
                }
            }

            return new RestInferenceRequest(new InferenceRequest(model, version, id, inputs, outputs, timeout, priority), binaryByDefault, binaryByOutput);
        }
    }

    private static TensorData DecodeInput(JsonElement input, ReadOnlyMemory<byte> binary, ref int binaryOffset)
    {
        RequireObject(input, "an input");
        var name = RequiredString(input, "name", "an input");
        if (!TensorDataTypes.TryParse(RequiredString(input, "datatype", $"input '{name}'"), out var type))
        {
            throw InferenceException.BadInput($"input '{name}' has an unknown datatype '{input.GetProperty("datatype").GetString()}'");
        }
        if (!input.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw InferenceException.BadInput($"input '{name}' must have a 'shape' array");
        }
        var shape = shapeElement.EnumerateArray()
            .Select(dimension => dimension.TryGetInt64(out var value) && value >= 0 ? value : throw InferenceException.BadInput($"input '{name}' has a shape that is not a list of non-negative integers"))
            .ToArray();
        var elements = Tensors.ElementCount(shape);
        if (elements < 0 || elements > int.MaxValue)
        {
            throw InferenceException.BadInput($"input '{name}' has a shape too large to serve");
        }

        if (input.TryGetProperty("parameters", out var parameters) && parameters.ValueKind == JsonValueKind.Object &&
            parameters.TryGetProperty(BinaryDataSize, out var sizeElement))
        {
            if (!sizeElement.TryGetInt32(out var size) || size < 0 || size > binary.Length - binaryOffset)
            {
                throw InferenceException.BadInput($"input '{name}' has a binary_data_size beyond the binary data sent");
            }
            if (input.TryGetProperty("data", out _))
            {
                throw InferenceException.BadInput($"input '{name}' has both 'data' and binary data");
            }
            var data = binary.Slice(binaryOffset, size);
            binaryOffset += size;
            return new TensorData(name, type, shape, data);
        }

        if (!input.TryGetProperty("data", out var dataElement))
        {
            throw InferenceException.BadInput($"input '{name}' has no 'data' and no binary data");
        }
        return new TensorData(name, type, shape, DecodeData(name, type, (int)elements, dataElement));
    }

    private static byte[] DecodeData(string name, TensorDataType type, int elements, JsonElement data)
    {
        if (type == TensorDataType.Bytes)
        {
            var encoded = new ArrayBufferWriter<byte>();
            var count = 0;
            foreach (var element in Flatten(data))
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    throw InferenceException.BadInput($"input '{name}' of BYTES must hold strings");
                }
                var value = element.GetString()!;
                var length = Encoding.UTF8.GetByteCount(value);
                BinaryPrimitives.WriteUInt32LittleEndian(encoded.GetSpan(sizeof(uint)), (uint)length);
                encoded.Advance(sizeof(uint));
                encoded.Advance(Encoding.UTF8.GetBytes(value, encoded.GetSpan(length)));
                count++;
            }
            CheckCount(name, elements, count);
            return encoded.WrittenSpan.ToArray();
        }

        var size = type.ElementSize();
        var bytes = new byte[elements * size];
        var index = 0;
        foreach (var element in Flatten(data))
        {
            if (index == elements)
            {
                CheckCount(name, elements, index + 1);
            }
            if (!TryWrite(type, element, bytes.AsSpan(index * size, size)))
            {
                throw InferenceException.BadInput($"input '{name}': element {index} is not a {type.ProtocolName()} value");
            }
            index++;
        }
        CheckCount(name, elements, index);
        return bytes;
    }

    private static void CheckCount(string name, int expected, int actual)
    {
        if (expected != actual)
        {
            throw InferenceException.BadInput($"input '{name}' has {(actual > expected ? "more" : actual.ToString(CultureInfo.InvariantCulture))} elements but its shape holds {expected}");
        }
    }

    /// <summary>The elements of nested or flat data, row-major.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            yield return data;
            yield break;
        }
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Array)
            {
                foreach (var nested in Flatten(item))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return item;
            }
        }
    }

    private static bool TryWrite(TensorDataType type, JsonElement element, Span<byte> target)
    {
        if (type == TensorDataType.Bool)
        {
            if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return false;
            }
            target[0] = element.GetBoolean() ? (byte)1 : (byte)0;
            return true;
        }
        if (element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        switch (type)
        {
            case TensorDataType.UInt8 when element.TryGetByte(out var value):
                target[0] = value;
                return true;
            case TensorDataType.Int8 when element.TryGetSByte(out var value):
                target[0] = (byte)value;
                return true;
            case TensorDataType.UInt16 when element.TryGetUInt16(out var value):
                BinaryPrimitives.WriteUInt16LittleEndian(target, value);
                return true;
            case TensorDataType.Int16 when element.TryGetInt16(out var value):
                BinaryPrimitives.WriteInt16LittleEndian(target, value);
                return true;
            case TensorDataType.UInt32 when element.TryGetUInt32(out var value):
                BinaryPrimitives.WriteUInt32LittleEndian(target, value);
                return true;
            case TensorDataType.Int32 when element.TryGetInt32(out var value):
                BinaryPrimitives.WriteInt32LittleEndian(target, value);
                return true;
            case TensorDataType.UInt64 when element.TryGetUInt64(out var value):
                BinaryPrimitives.WriteUInt64LittleEndian(target, value);
                return true;
            case TensorDataType.Int64 when element.TryGetInt64(out var value):
                BinaryPrimitives.WriteInt64LittleEndian(target, value);
                return true;
            case TensorDataType.Fp16:
                BinaryPrimitives.WriteHalfLittleEndian(target, (Half)element.GetDouble());
                return true;
            case TensorDataType.Bf16:
                BinaryPrimitives.WriteUInt16LittleEndian(target, BFloat16Bits((float)element.GetDouble()));
                return true;
            case TensorDataType.Fp32:
                BinaryPrimitives.WriteSingleLittleEndian(target, (float)element.GetDouble());
                return true;
            case TensorDataType.Fp64:
                BinaryPrimitives.WriteDoubleLittleEndian(target, element.GetDouble());
                return true;
            default:
                return false;
        }
    }

    /// <summary>A float rounded to bfloat16 (round to nearest even), as its 16 bits.</summary>
    private static ushort BFloat16Bits(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>Writes the response JSON; outputs marked binary go to <paramref name="binaryOutputs"/>, to follow the JSON in order.</summary>
    public static void Encode(Utf8JsonWriter writer, InferenceResponse response, RestInferenceRequest request, List<ReadOnlyMemory<byte>> binaryOutputs)
    {
        writer.WriteStartObject();
        writer.WriteString("model_name", response.Model);
        writer.WriteString("model_version", response.Version);
        if (response.Id is not null)
        {
            writer.WriteString("id", response.Id);
        }
        writer.WriteStartArray("outputs");
        foreach (var output in response.Outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", output.Name);
            writer.WriteString("datatype", output.DataType.ProtocolName());
            writer.WriteStartArray("shape");
            foreach (var dimension in output.Shape)
            {
                writer.WriteNumberValue(dimension);
            }
            writer.WriteEndArray();
            if (request.IsBinary(output.Name))
            {
                writer.WriteStartObject("parameters");
                writer.WriteNumber(BinaryDataSize, output.Data.Length);
                writer.WriteEndObject();
                binaryOutputs.Add(output.Data);
            }
            else
            {
                writer.WritePropertyName("data");
                WriteData(writer, output);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteData(Utf8JsonWriter writer, TensorData tensor)
    {
        writer.WriteStartArray();
        if (tensor.DataType == TensorDataType.Bytes)
        {
            foreach (var element in Tensors.BytesElements(tensor.Data))
            {
                writer.WriteStringValue(Encoding.UTF8.GetString(element.Span));
            }
            writer.WriteEndArray();
            return;
        }

        var data = tensor.Data.Span;
        var size = tensor.DataType.ElementSize();
        for (var offset = 0; offset + size <= data.Length; offset += size)
        {
            var element = data.Slice(offset, size);
            switch (tensor.DataType)
            {
                case TensorDataType.Bool: writer.WriteBooleanValue(element[0] != 0); break;
                case TensorDataType.UInt8: writer.WriteNumberValue(element[0]); break;
                case TensorDataType.Int8: writer.WriteNumberValue((sbyte)element[0]); break;
                case TensorDataType.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(element)); break;
                case TensorDataType.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(element)); break;
                case TensorDataType.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(element)); break;
                case TensorDataType.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(element)); break;
                case TensorDataType.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(element)); break;
                case TensorDataType.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(element)); break;
                case TensorDataType.Fp16: writer.WriteNumberValue((float)BinaryPrimitives.ReadHalfLittleEndian(element)); break;
                case TensorDataType.Bf16: writer.WriteNumberValue(BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(element) << 16)); break;
                case TensorDataType.Fp32: writer.WriteNumberValue(BinaryPrimitives.ReadSingleLittleEndian(element)); break;
                case TensorDataType.Fp64: writer.WriteNumberValue(BinaryPrimitives.ReadDoubleLittleEndian(element)); break;
            }
        }
        writer.WriteEndArray();
    }

    private static void RequireObject(JsonElement element, string what)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw InferenceException.BadInput($"{what} must be a JSON object");
        }
    }

    private static string RequiredString(JsonElement element, string property, string what) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw InferenceException.BadInput($"{what} must have a string '{property}'");

    private static bool Bool(JsonElement element, string name) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw InferenceException.BadInput($"the '{name}' parameter must be true or false"),
    };
}
