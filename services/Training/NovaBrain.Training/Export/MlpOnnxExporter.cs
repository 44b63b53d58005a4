using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.Onnx.Format;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Training.Export;

/// <summary>
/// Writes a trained MLP as ONNX, since TorchSharp has no exporter: input "input" [batch, features] → Sub/Div (the
/// training standardisation) → Gemm+Relu layers with the trained weights → for regression Mul/Add back to the target's
/// units → output "output" [batch, classes | 1] (logits for classification).
/// </summary>
public static class MlpOnnxExporter
{
    public const string InputName = "input";
    public const string OutputName = "output";

    public static ModelProto Export(TrainedMlp model)
    {
        var features = model.Features.Mean.Length;
        var outputs = (int)model.Layers[^1].weight!.shape[0];
        var graph = new GraphProto { Name = "mlp" };
        graph.Input.Add(OnnxModels.TensorValue(InputName, features));
        graph.Output.Add(OnnxModels.TensorValue(OutputName, outputs));

        graph.Initializer.Add(Vector("input.mean", model.Features.Mean));
        graph.Initializer.Add(Vector("input.deviation", model.Features.Deviation));
        graph.Node.Add(OnnxModels.Node("Sub", [InputName, "input.mean"], "input.centred"));
        graph.Node.Add(OnnxModels.Node("Div", ["input.centred", "input.deviation"], "input.standardized"));

        var current = "input.standardized";
        for (var layer = 0; layer < model.Layers.Count; layer++)
        {
            var linear = model.Layers[layer];
            var (weight, bias) = ($"layer{layer}.weight", $"layer{layer}.bias");
            // Gemm computes input × B; TorchSharp keeps Linear weights as [out, in], so B is the transpose.
            using var transposed = linear.weight!.detach().cpu().t().contiguous();
            graph.Initializer.Add(Tensor(weight, [transposed.shape[0], transposed.shape[1]], transposed.data<float>().ToArray()));
            graph.Initializer.Add(Vector(bias, linear.bias!.detach().cpu().data<float>().ToArray()));

            var isLast = layer == model.Layers.Count - 1;
            var linearOutput = isLast && model.Target is null ? OutputName : $"layer{layer}.linear";
            graph.Node.Add(OnnxModels.Node("Gemm", [current, weight, bias], linearOutput));
            current = linearOutput;
            if (!isLast)
            {
                current = $"layer{layer}.activation";
                graph.Node.Add(OnnxModels.Node("Relu", [linearOutput], current));
            }
        }
        if (model.Target is { } target)
        {
            graph.Initializer.Add(Vector("output.deviation", target.Deviation));
            graph.Initializer.Add(Vector("output.mean", target.Mean));
            graph.Node.Add(OnnxModels.Node("Mul", [current, "output.deviation"], "output.scaled"));
            graph.Node.Add(OnnxModels.Node("Add", ["output.scaled", "output.mean"], OutputName));
        }
        return OnnxModels.Model(graph);
    }

    private static TensorProto Vector(string name, float[] values) => Tensor(name, [values.Length], values);

    private static TensorProto Tensor(string name, long[] dims, float[] values)
    {
        var tensor = new TensorProto
        {
            Name = name,
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan())),
        };
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
