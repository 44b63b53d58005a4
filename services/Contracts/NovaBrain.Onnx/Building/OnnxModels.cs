using Google.Protobuf;
using NovaBrain.Onnx.Format;

namespace NovaBrain.Onnx.Building;

/// <summary>
/// Writes small, real ONNX models: multi-layer perceptrons with seeded random weights, used to exercise validation,
/// serving and benchmarks without shipping model files.
/// </summary>
public static class OnnxModels
{
    /// <summary>The opset the models are written for: supported by every ONNX Runtime NovaBrain runs on.</summary>
    public const long DefaultOpset = 17;

    /// <summary>The IR version matching <see cref="DefaultOpset"/>.</summary>
    public const long IrVersion = 8;

    /// <summary>
    /// An MLP with float32 input <paramref name="inputName"/> of shape [batch, widths[0]] and output <paramref name="outputName"/>
    /// of shape [batch, widths[^1]]: Gemm layers with ReLU between them. The batch dimension is symbolic (variable).
    /// </summary>
    public static ModelProto Mlp(
        IReadOnlyList<int> widths, int seed = 1, string inputName = "input", string outputName = "output", long opset = DefaultOpset)
    {
        if (widths.Count < 2 || widths.Any(width => width < 1))
        {
            throw new ArgumentException("An MLP needs at least an input and an output width, each at least 1.", nameof(widths));
        }

        var random = new Random(seed);
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(TensorValue(inputName, widths[0]));
        graph.Output.Add(TensorValue(outputName, widths[^1]));

        var current = inputName;
        for (var layer = 0; layer < widths.Count - 1; layer++)
        {
            var (fanIn, fanOut) = (widths[layer], widths[layer + 1]);
            var weight = $"layer{layer}.weight";
            var bias = $"layer{layer}.bias";
            // Scaled like Kaiming initialisation so activations stay in a useful range through deep stacks.
            var scale = MathF.Sqrt(2f / fanIn);
            graph.Initializer.Add(FloatTensor(weight, [fanIn, fanOut], () => (float)(random.NextDouble() * 2 - 1) * scale));
            graph.Initializer.Add(FloatTensor(bias, [fanOut], () => (float)(random.NextDouble() * 2 - 1) * 0.1f));

            var isLast = layer == widths.Count - 2;
            var gemmOutput = isLast ? outputName : $"layer{layer}.linear";
            graph.Node.Add(Node("Gemm", [current, weight, bias], gemmOutput));
            if (!isLast)
            {
                current = $"layer{layer}.activation";
                graph.Node.Add(Node("Relu", [gemmOutput], current));
            }
        }

        return Model(graph, opset);
    }

    /// <summary>Wraps a graph as a model importing the default ONNX domain at <paramref name="opset"/>.</summary>
    public static ModelProto Model(GraphProto graph, long opset = DefaultOpset)
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "novabrain", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model;
    }

    /// <summary>A float32 tensor of <paramref name="dims"/> whose elements come from <paramref name="next"/>, as raw little-endian data.</summary>
    public static TensorProto FloatTensor(string name, long[] dims, Func<float> next)
    {
        var count = dims.Aggregate(1L, (product, dim) => product * dim);
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = next();
        }
        return FloatTensor(name, dims, values);
    }

    /// <summary>A float32 tensor of <paramref name="dims"/> holding <paramref name="values"/> (row-major), as raw little-endian data.</summary>
    public static TensorProto FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())) };
        tensor.Dims.AddRange(dims);
        return tensor;
    }

    /// <summary>A graph input or output of element type <paramref name="elementType"/>: [batch, width] with a symbolic batch dimension.</summary>
    public static ValueInfoProto TensorValue(string name, int width, TensorProto.Types.DataType elementType = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elementType, Shape = shape } },
        };
    }

    public static NodeProto Node(string opType, IEnumerable<string> inputs, string output, params IEnumerable<AttributeProto> attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>A node attribute holding one integer (e.g. Flatten's axis).</summary>
    public static AttributeProto Attribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A node attribute holding a list of integers (e.g. Conv's kernel_shape, pads, strides).</summary>
    public static AttributeProto Attribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    /// <summary>A one-dimensional int64 tensor, such as the target shape of a Reshape.</summary>
    public static TensorProto Int64Tensor(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        return tensor;
    }
}
