using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// A trained MLP with what it needs around it: the feature standardisation (and, for regression, the target's), the
/// class names, the metrics of every epoch and the held-out rows it was validated on.
/// </summary>
public sealed class TrainedMlp(
    Sequential network, IReadOnlyList<Linear> layers, Standardization features, Standardization? target,
    IReadOnlyList<string> classes, IReadOnlyList<EpochMetrics> history, float[][] heldOutRows) : IDisposable
{
    public IReadOnlyList<Linear> Layers { get; } = layers;
    public Standardization Features { get; } = features;
    public Standardization? Target { get; } = target;
    public IReadOnlyList<string> Classes { get; } = classes;
    public IReadOnlyList<EpochMetrics> History { get; } = history;
    public float[][] HeldOutRows { get; } = heldOutRows;

    /// <summary>The network's outputs for raw feature rows, on the CPU: logits per class, or the predicted value.</summary>
    public float[][] Predict(float[][] rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = Layers[0].weight!.device;
        var input = Features.Apply(tensor(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]).to(device));
        var output = network.forward(input);
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

/// <summary>Per-column mean and standard deviation (1 where a column is constant), computed on the training rows.</summary>
public sealed record Standardization(float[] Mean, float[] Deviation)
{
    public static Standardization Of(IReadOnlyList<float[]> rows)
    {
        var width = rows[0].Length;
        var mean = new float[width];
        var deviation = new float[width];
        for (var column = 0; column < width; column++)
        {
            var average = rows.Average(row => (double)row[column]);
            var spread = Math.Sqrt(rows.Average(row => Math.Pow(row[column] - average, 2)));
            mean[column] = (float)average;
            deviation[column] = spread > 1e-12 ? (float)spread : 1f;
        }
        return new Standardization(mean, deviation);
    }

    public Tensor Apply(Tensor values) => (values - tensor(Mean).to(values.device)) / tensor(Deviation).to(values.device);

    public Tensor Undo(Tensor values) => values * tensor(Deviation).to(values.device) + tensor(Mean).to(values.device);
}
