using Google.Protobuf;
using NovaBrain.Onnx.Format;
using NovaBrain.Parameters.Tensors;
using DataType = NovaBrain.Onnx.Format.TensorProto.Types.DataType;

namespace NovaBrain.Parameters.Optimization;

/// <summary>
/// Converts an ONNX model's float32 initializers the ONNX way, so the model still runs: <c>W</c> becomes
/// <c>W::float16</c> decoded by a <c>Cast</c> node, or <c>W::int8</c> with <c>W::scale</c> and a zero
/// <c>W::zero_point</c> decoded by a <c>DequantizeLinear</c> node (with <c>axis=0</c> per channel), each node
/// writing <c>W</c> at the start of the graph. Initializers that are also graph inputs (overridable by callers) stay.
/// </summary>
public static class OnnxConverter
{
    public const string Float16Suffix = "::float16";
    public const string Int8Suffix = "::int8";
    public const string ScaleSuffix = "::scale";
    public const string ZeroPointSuffix = "::zero_point";

    /// <summary>DequantizeLinear takes a scale per channel (its <c>axis</c>) from opset 13, one scale from opset 10.</summary>
    public static long? MinimumOpset(Conversion conversion) => conversion.To switch
    {
        Conversion.Int8 => conversion.IsPerChannel ? 13 : 10,
        _ => null,
    };

    public static long Opset(ModelProto model) =>
        model.OpsetImport.Where(import => import.Domain is "" or "ai.onnx").Select(import => import.Version).DefaultIfEmpty(0).Max();

    public static async Task<IReadOnlyList<ConvertedTensor>> WriteAsync(
        OnnxTensorFile source, Conversion conversion, IReadOnlyDictionary<string, string> metadata, Stream output, CancellationToken cancellationToken)
    {
        var model = source.Model.Clone();
        var graph = model.Graph;
        var graphInputs = graph.Input.Select(input => input.Name).ToHashSet(StringComparer.Ordinal);
        var decoders = new List<NodeProto>();
        var converted = new List<ConvertedTensor>();
        var count = graph.Initializer.Count;
        for (var i = 0; i < count; i++)
        {
            var initializer = graph.Initializer[i];
            if (initializer.DataType != (int)DataType.Float || graphInputs.Contains(initializer.Name))
            {
                continue;
            }

            var tensor = source.Find(initializer.Name)!;
            using var data = new MemoryStream();
            ErrorStatistics errors;
            if (conversion.To == Conversion.Float16)
            {
                await using (var reader = new FloatReader(source, tensor, cancellationToken))
                {
                    errors = await Quantization.ToFloat16Async(reader, data, cancellationToken);
                }
                graph.Initializer[i] = Tensor(initializer.Name + Float16Suffix, DataType.Float16, initializer.Dims, data.ToArray());
                var cast = Node("Cast", [initializer.Name + Float16Suffix], initializer.Name);
                cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)DataType.Float });
                decoders.Add(cast);
            }
            else
            {
                float[] scales;
                await using (var reader = new FloatReader(source, tensor, cancellationToken))
                {
                    scales = await Quantization.ScalesAsync(reader, tensor.ElementCount, SafetensorsConverter.ChannelsOf(tensor, conversion));
                }
                await using (var reader = new FloatReader(source, tensor, cancellationToken))
                {
                    errors = await Quantization.ToInt8Async(reader, tensor.ElementCount, scales, data, cancellationToken);
                }

                var perChannel = conversion.IsPerChannel && tensor.Shape.Length > 0;
                long[] scaleShape = perChannel ? [scales.Length] : [];
                graph.Initializer[i] = Tensor(initializer.Name + Int8Suffix, DataType.Int8, initializer.Dims, data.ToArray());
                graph.Initializer.Add(Tensor(initializer.Name + ScaleSuffix, DataType.Float, scaleShape, Quantization.Float32Bytes(scales)));
                graph.Initializer.Add(Tensor(initializer.Name + ZeroPointSuffix, DataType.Int8, scaleShape, new byte[scales.Length]));
                var dequantize = Node("DequantizeLinear", [initializer.Name + Int8Suffix, initializer.Name + ScaleSuffix, initializer.Name + ZeroPointSuffix], initializer.Name);
                if (perChannel)
                {
                    dequantize.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 0 });
                }
                decoders.Add(dequantize);
            }
            converted.Add(new ConvertedTensor(tensor.Name, tensor.Dtype, conversion.To == Conversion.Float16 ? TensorDtypes.F16 : TensorDtypes.I8, tensor.ElementCount, errors.Max, errors.Mean));
        }

        // Nodes are stored in topological order: the decoders feed the rest, so they come first.
        var nodes = decoders.Concat(graph.Node).ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
        model.MetadataProps.Clear();
        model.MetadataProps.AddRange(metadata.Select(entry => new StringStringEntryProto { Key = entry.Key, Value = entry.Value }));

        await output.WriteAsync(model.ToByteArray(), cancellationToken);
        return converted;
    }

    private static TensorProto Tensor(string name, DataType dataType, IEnumerable<long> dims, byte[] data)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)dataType, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    private static NodeProto Node(string opType, IEnumerable<string> inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = $"{output}/{opType}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }
}
