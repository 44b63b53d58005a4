using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.Onnx.Format;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Training.Export;

/// <summary>
/// Writes a trained network as ONNX, since TorchSharp has no exporter: one node per layer with the trained weights.
/// The model takes what a client sends, the same flat rows the dataset had: input "input" [batch, features] (for
/// images, the pixels in channel, row, column order) → Sub/Div (the training standardisation) → for images a Reshape
/// to [batch, C, H, W] and Conv/Relu/MaxPool blocks and a Flatten → Gemm/Relu layers → for regression Mul/Add back to
/// the target's units → output "output" [batch, classes | 1] (logits for classification).
/// </summary>
public static class OnnxExporter
{
    public const string InputName = "input";
    public const string OutputName = "output";

    public static ModelProto Export(TrainedNetwork model)
    {
        var features = model.HeldOutRows[0].Length;
        var outputs = model.Layers.OfType<LinearLayer>().Last().Outputs;
        var graph = new GraphProto { Name = "novabrain" };
        graph.Input.Add(OnnxModels.TensorValue(InputName, features));
        graph.Output.Add(OnnxModels.TensorValue(OutputName, outputs));

        graph.Initializer.Add(OnnxModels.FloatTensor("input.mean", [model.Input.Mean.Length], model.Input.Mean));
        graph.Initializer.Add(OnnxModels.FloatTensor("input.deviation", [model.Input.Deviation.Length], model.Input.Deviation));
        graph.Node.Add(OnnxModels.Node("Sub", [InputName, "input.mean"], "input.centred"));
        graph.Node.Add(OnnxModels.Node("Div", ["input.centred", "input.deviation"], "input.standardized"));

        var current = "input.standardized";
        for (var index = 0; index < model.Layers.Count; index++)
        {
            var isLast = index == model.Layers.Count - 1;
            var output = isLast && model.Target is null ? OutputName : $"layer{index}.output";
            graph.Node.Add(model.Layers[index] switch
            {
                ImageLayer image => Reshape(graph, index, current, output, image),
                ConvolutionLayer convolution => Convolution(graph, model, index, current, output, convolution),
                MaxPoolLayer pool => OnnxModels.Node("MaxPool", [current], output,
                    OnnxModels.Attribute("kernel_shape", pool.Size, pool.Size), OnnxModels.Attribute("strides", pool.Size, pool.Size)),
                FlattenLayer => OnnxModels.Node("Flatten", [current], output, OnnxModels.Attribute("axis", 1L)),
                ReluLayer => OnnxModels.Node("Relu", [current], output),
                LinearLayer => Gemm(graph, model, index, current, output),
                var other => throw new NotSupportedException($"No ONNX export for {other.GetType().Name}."),
            });
            current = output;
        }
        if (model.Target is { } target)
        {
            graph.Initializer.Add(OnnxModels.FloatTensor("output.deviation", [target.Deviation.Length], target.Deviation));
            graph.Initializer.Add(OnnxModels.FloatTensor("output.mean", [target.Mean.Length], target.Mean));
            graph.Node.Add(OnnxModels.Node("Mul", [current, "output.deviation"], "output.scaled"));
            graph.Node.Add(OnnxModels.Node("Add", ["output.scaled", "output.mean"], OutputName));
        }
        return OnnxModels.Model(graph);
    }

    private static NodeProto Reshape(GraphProto graph, int index, string input, string output, ImageLayer image)
    {
        var shape = $"layer{index}.shape";
        graph.Initializer.Add(OnnxModels.Int64Tensor(shape, -1, image.Channels, image.Height, image.Width));
        return OnnxModels.Node("Reshape", [input, shape], output);
    }

    private static NodeProto Convolution(GraphProto graph, TrainedNetwork model, int index, string input, string output, ConvolutionLayer layer)
    {
        // TorchSharp and ONNX both hold convolution weights as [out channels, in channels, kernel height, kernel width].
        var (weight, bias) = model.ParametersOf(index);
        using (weight)
        using (bias)
        {
            graph.Initializer.Add(OnnxModels.FloatTensor($"layer{index}.weight", weight.shape, weight.contiguous().data<float>().ToArray()));
            graph.Initializer.Add(OnnxModels.FloatTensor($"layer{index}.bias", bias.shape, bias.data<float>().ToArray()));
        }
        return OnnxModels.Node("Conv", [input, $"layer{index}.weight", $"layer{index}.bias"], output,
            OnnxModels.Attribute("kernel_shape", layer.KernelSize, layer.KernelSize),
            OnnxModels.Attribute("pads", layer.Padding, layer.Padding, layer.Padding, layer.Padding),
            OnnxModels.Attribute("strides", 1, 1));
    }

    private static NodeProto Gemm(GraphProto graph, TrainedNetwork model, int index, string input, string output)
    {
        // Gemm computes input × B; TorchSharp keeps Linear weights as [out, in], so B is the transpose.
        var (weight, bias) = model.ParametersOf(index);
        using (weight)
        using (bias)
        using (var transposed = weight.t().contiguous())
        {
            graph.Initializer.Add(OnnxModels.FloatTensor($"layer{index}.weight", transposed.shape, transposed.data<float>().ToArray()));
            graph.Initializer.Add(OnnxModels.FloatTensor($"layer{index}.bias", bias.shape, bias.data<float>().ToArray()));
        }
        return OnnxModels.Node("Gemm", [input, $"layer{index}.weight", $"layer{index}.bias"], output);
    }
}
