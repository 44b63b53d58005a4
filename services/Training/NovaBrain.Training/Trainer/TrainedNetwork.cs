using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// A trained network with what it needs around it: its layers, the input standardisation (and, for regression, the
/// target's), the class names, the metrics of every epoch, the epoch whose weights it holds and held-out rows it was
/// validated on.
/// </summary>
public sealed class TrainedNetwork(
    Sequential network, IReadOnlyList<NetworkLayer> layers, Standardization input, Standardization? target,
    IReadOnlyList<string> classes, IReadOnlyList<EpochMetrics> history, EpochMetrics modelEpoch, float[][] heldOutRows) : IDisposable
{
    public IReadOnlyList<NetworkLayer> Layers { get; } = layers;
    public Standardization Input { get; } = input;
    public Standardization? Target { get; } = target;
    public IReadOnlyList<string> Classes { get; } = classes;
    public IReadOnlyList<EpochMetrics> History { get; } = history;

    /// <summary>The epoch the weights are from: the best one when early stopping is on, else the last.</summary>
    public EpochMetrics ModelEpoch { get; } = modelEpoch;

    public float[][] HeldOutRows { get; } = heldOutRows;

    /// <summary>The weight and bias of layer <paramref name="index"/> (a Linear or Conv2d), on the CPU.</summary>
    public (Tensor Weight, Tensor Bias) ParametersOf(int index)
    {
        var module = network.children().ElementAt(index);
        var parameters = module.named_parameters().ToDictionary(parameter => parameter.name, parameter => parameter.parameter);
        return (parameters["weight"].detach().cpu(), parameters["bias"].detach().cpu());
    }

    /// <summary>The network's outputs for raw feature rows, on the CPU: logits per class, or the predicted value.</summary>
    public float[][] Predict(float[][] rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        network.eval();
        var device = network.parameters().First().device;
        var output = network.forward(Input.Apply(tensor(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]).to(device)));
        if (Target is { } target)
        {
            output = target.Undo(output);
        }
        var values = output.cpu().data<float>().ToArray();
        var width = (int)output.shape[1];
        return Enumerable.Range(0, rows.Length).Select(row => values.AsSpan(row * width, width).ToArray()).ToArray();
    }

    public void Dispose() => network.Dispose();
}

/// <summary>Per-column mean and standard deviation (1 where a column is constant); one column applies to all.</summary>
public sealed record Standardization(float[] Mean, float[] Deviation)
{
    public static Standardization Of(ColumnStatistics statistics) => new(
        statistics.Mean.Select(mean => (float)mean).ToArray(),
        statistics.Deviation.Select(deviation => deviation > 1e-12 ? (float)deviation : 1f).ToArray());

    public Tensor Apply(Tensor values) => (values - tensor(Mean).to(values.device)) / tensor(Deviation).to(values.device);

    public Tensor Undo(Tensor values) => values * tensor(Deviation).to(values.device) + tensor(Mean).to(values.device);
}
