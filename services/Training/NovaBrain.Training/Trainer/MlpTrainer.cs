using NovaBrain.Training.Templates;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// Trains the MLP templates with TorchSharp. Deterministic given the seed: the split, the initial weights and each
/// epoch's shuffle derive from it alone, so a run resumed from a checkpoint continues exactly as the uninterrupted one.
/// </summary>
public static class MlpTrainer
{
    /// <summary>Called after every epoch with its metrics, and with a checkpoint after every <see cref="Hyperparameters.CheckpointEvery"/>th.</summary>
    public delegate Task EpochCallback(EpochMetrics metrics, TrainingCheckpoint? checkpoint, CancellationToken cancellationToken);

    public static async Task<TrainedMlp> TrainAsync(
        TabularDataset data, TrainingTemplate template, Hyperparameters hyperparameters, Device device,
        TrainingCheckpoint? resumeFrom, EpochCallback onEpoch, CancellationToken cancellationToken)
    {
        var classification = template.Task == TrainingTasks.Classification;
        var (trainRows, validationRows) = Split(data.Rows, hyperparameters.ValidationFraction, hyperparameters.Seed);
        var trainFeatures = trainRows.Select(row => data.Features[row]).ToArray();
        var features = Standardization.Of(trainFeatures);
        var target = classification ? null : Standardization.Of(trainRows.Select(row => new[] { data.Targets[row] }).ToArray());

        using var trainX = features.Apply(Matrix(trainFeatures).to(device));
        using var validationX = features.Apply(Matrix(validationRows.Select(row => data.Features[row]).ToArray()).to(device));
        using var trainY = Targets(data, trainRows, classification, target, device);
        using var validationY = Targets(data, validationRows, classification, target, device);

        var widths = new[] { data.FeatureNames.Count }.Concat(hyperparameters.HiddenLayers).Append(classification ? data.Classes.Count : 1).ToArray();
        var layers = new List<Linear>();
        Sequential network;
        // Linear layers draw their initial weights from torch's global generator: seeding it and drawing must not
        // interleave with another trainer in this process, or the same seed would give different weights.
        lock (InitializationLock)
        {
            manual_seed(hyperparameters.Seed);
            network = BuildNetwork(widths, layers);
        }
        network = network.to(device);
        using var optimizer = hyperparameters.Optimizer == Hyperparameters.Sgd
            ? (optim.Optimizer)optim.SGD(network.parameters(), hyperparameters.LearningRate, momentum: 0.9)
            : optim.Adam(network.parameters(), hyperparameters.LearningRate);

        var history = new List<EpochMetrics>(resumeFrom?.History ?? []);
        var best = resumeFrom?.BestValidationLoss ?? double.PositiveInfinity;
        var withoutImprovement = resumeFrom?.EpochsWithoutImprovement ?? 0;
        if (resumeFrom is not null)
        {
            Restore(network, (OptimizerHelper)optimizer, resumeFrom);
        }

        for (var epoch = resumeFrom?.CompletedEpochs ?? 0; epoch < hyperparameters.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var learningRate = hyperparameters.LearningRateAt(epoch);
            foreach (var group in ((OptimizerHelper)optimizer).ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            var trainLoss = TrainEpoch(network, optimizer, trainX, trainY, classification, hyperparameters.BatchSize, hyperparameters.Seed, epoch);
            var metrics = Evaluate(network, validationX, validationY, classification, target);
            metrics[MetricNames.TrainLoss] = trainLoss;
            var result = new EpochMetrics(epoch + 1, learningRate, metrics);
            history.Add(result);

            if (result.ValidationLoss < best)
            {
                (best, withoutImprovement) = (result.ValidationLoss, 0);
            }
            else
            {
                withoutImprovement++;
            }
            var stopsEarly = hyperparameters.EarlyStoppingPatience > 0 && withoutImprovement >= hyperparameters.EarlyStoppingPatience;
            var checkpoint = (epoch + 1) % hyperparameters.CheckpointEvery == 0 && epoch + 1 < hyperparameters.Epochs && !stopsEarly
                ? Capture(network, (OptimizerHelper)optimizer, epoch + 1, best, withoutImprovement, history)
                : null;
            await onEpoch(result, checkpoint, cancellationToken);
            if (stopsEarly)
            {
                break;
            }
        }

        return new TrainedMlp(network, layers, features, target, data.Classes, history,
            validationRows.Select(row => data.Features[row]).ToArray());
    }

    private static readonly Lock InitializationLock = new();

    private static Sequential BuildNetwork(int[] widths, List<Linear> layers)
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var layer = 0; layer < widths.Length - 1; layer++)
        {
            var linear = nn.Linear(widths[layer], widths[layer + 1]);
            layers.Add(linear);
            modules.Add(($"linear{layer}", linear));
            if (layer < widths.Length - 2)
            {
                modules.Add(($"relu{layer}", nn.ReLU()));
            }
        }
        return nn.Sequential(modules);
    }

    /// <summary>Row indices shuffled with the seed; the first share of them is held out for validation.</summary>
    public static (int[] Train, int[] Validation) Split(int rows, double validationFraction, int seed)
    {
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        var validation = Math.Max(1, (int)Math.Round(rows * validationFraction));
        return (order[validation..], order[..validation]);
    }

    private static double TrainEpoch(
        nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, Tensor inputs, Tensor targets, bool classification,
        int batchSize, int seed, int epoch)
    {
        network.train();
        var order = Enumerable.Range(0, (int)inputs.shape[0]).Select(row => (long)row).ToArray();
        new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
        var (total, count) = (0.0, 0);
        for (var start = 0; start < order.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var indices = tensor(order[start..Math.Min(order.Length, start + batchSize)]).to(inputs.device);
            optimizer.zero_grad();
            var loss = Loss(network.forward(inputs.index_select(0, indices)), targets.index_select(0, indices), classification);
            loss.backward();
            optimizer.step();
            total += loss.item<float>() * indices.shape[0];
            count += (int)indices.shape[0];
        }
        return total / count;
    }

    private static Dictionary<string, double> Evaluate(
        nn.Module<Tensor, Tensor> network, Tensor inputs, Tensor targets, bool classification, Standardization? target)
    {
        network.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = network.forward(inputs);
        var metrics = new Dictionary<string, double> { [MetricNames.ValidationLoss] = Loss(output, targets, classification).item<float>() };
        if (classification)
        {
            metrics[MetricNames.Accuracy] = output.argmax(1).eq(targets).to(ScalarType.Float32).mean().item<float>();
        }
        else
        {
            var error = target!.Undo(output) - target.Undo(targets);
            metrics[MetricNames.Rmse] = Math.Sqrt(error.square().mean().item<float>());
            metrics[MetricNames.Mae] = error.abs().mean().item<float>();
        }
        return metrics;
    }

    private static Tensor Loss(Tensor output, Tensor targets, bool classification) => classification
        ? nn.functional.cross_entropy(output, targets)
        : nn.functional.mse_loss(output, targets);

    private static Tensor Matrix(float[][] rows) => tensor(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]);

    private static Tensor Targets(TabularDataset data, int[] rows, bool classification, Standardization? target, Device device)
    {
        if (classification)
        {
            return tensor(rows.Select(row => (long)data.Targets[row]).ToArray()).to(device);
        }
        using var values = tensor(rows.Select(row => data.Targets[row]).ToArray(), [rows.Length, 1]);
        return target!.Apply(values).to(device);
    }

    private static TrainingCheckpoint Capture(
        nn.Module network, OptimizerHelper optimizer, int completedEpochs, double best, int withoutImprovement, List<EpochMetrics> history)
    {
        var folder = Directory.CreateTempSubdirectory("novabrain-checkpoint-");
        try
        {
            var networkFile = Path.Combine(folder.FullName, "network.dat");
            var optimizerFile = Path.Combine(folder.FullName, "optimizer.dat");
            network.save(networkFile);
            optimizer.save_state_dict(optimizerFile);
            return new TrainingCheckpoint(completedEpochs, best, withoutImprovement, [.. history],
                File.ReadAllBytes(networkFile), File.ReadAllBytes(optimizerFile));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Restore(nn.Module network, OptimizerHelper optimizer, TrainingCheckpoint checkpoint)
    {
        var folder = Directory.CreateTempSubdirectory("novabrain-checkpoint-");
        try
        {
            var networkFile = Path.Combine(folder.FullName, "network.dat");
            var optimizerFile = Path.Combine(folder.FullName, "optimizer.dat");
            File.WriteAllBytes(networkFile, checkpoint.Network);
            File.WriteAllBytes(optimizerFile, checkpoint.Optimizer);
            network.load(networkFile);
            optimizer.load_state_dict(optimizerFile);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
