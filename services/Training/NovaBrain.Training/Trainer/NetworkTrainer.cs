using NovaBrain.Training.Templates;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NovaBrain.Training.Trainer;

/// <summary>
/// Trains every template's network with TorchSharp through one loop; the architectures differ only in their layers
/// (<see cref="NetworkLayers"/>). Deterministic given the seed: the split, the initial weights and each epoch's shuffle
/// derive from it alone, so a run resumed from a checkpoint continues exactly as the uninterrupted one.
/// </summary>
public static class NetworkTrainer
{
    /// <summary>Rows per forward pass when computing validation metrics: bounds memory, not results.</summary>
    private const int EvaluationBatchRows = 1024;

    /// <summary>Called after every epoch with its metrics, and with a checkpoint after every <see cref="Hyperparameters.CheckpointEvery"/>th.</summary>
    public delegate Task EpochCallback(EpochMetrics metrics, TrainingCheckpoint? checkpoint, CancellationToken cancellationToken);

    /// <summary>Called within an epoch with a checkpoint every <see cref="Hyperparameters.CheckpointEverySteps"/> optimisation steps.</summary>
    public delegate Task StepCheckpointCallback(TrainingCheckpoint checkpoint, CancellationToken cancellationToken);

    public static async Task<TrainedNetwork> TrainAsync(
        TabularDataset data, TrainingTemplate template, Hyperparameters hyperparameters, Device device,
        TrainingCheckpoint? resumeFrom, EpochCallback onEpoch, CancellationToken cancellationToken,
        StepCheckpointCallback? onStepCheckpoint = null)
    {
        var classification = template.Task == TrainingTasks.Classification;
        var input = NetworkLayers.InputStandardization(template.Architecture, data.FeatureStatistics);
        var target = classification ? null : Standardization.Of(data.TargetStatistics);
        var layers = NetworkLayers.For(template.Architecture, hyperparameters, data.FeatureNames.Count, classification ? data.Classes.Count : 1);
        var batches = new Batches(data, input, target, device);

        Sequential network;
        // Layers draw their initial weights from torch's global generator: seeding it and drawing must not
        // interleave with another trainer in this process, or the same seed would give different weights.
        lock (InitializationLock)
        {
            manual_seed(hyperparameters.Seed);
            network = nn.Sequential(layers.Select((layer, index) => ($"layer{index}", layer.CreateModule())));
        }
        network = network.to(device);
        using OptimizerHelper optimizer = hyperparameters.Optimizer == Hyperparameters.Sgd
            ? optim.SGD(network.parameters(), hyperparameters.LearningRate, momentum: 0.9)
            : optim.Adam(network.parameters(), hyperparameters.LearningRate);

        var history = new List<EpochMetrics>(resumeFrom?.History ?? []);
        var best = resumeFrom?.BestValidationLoss ?? double.PositiveInfinity;
        var withoutImprovement = resumeFrom?.EpochsWithoutImprovement ?? 0;
        var bestNetwork = resumeFrom?.BestNetwork;
        if (resumeFrom is not null)
        {
            TrainingCheckpoint.Restore(network, optimizer, resumeFrom);
        }
        var keepsBest = hyperparameters.EarlyStoppingPatience > 0;
        var stepsPerEpoch = (int)((data.TrainingRows + hyperparameters.BatchSize - 1) / hyperparameters.BatchSize);

        for (var epoch = resumeFrom?.CompletedEpochs ?? 0; epoch < hyperparameters.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var learningRate = hyperparameters.LearningRateAt(epoch);
            foreach (var group in (optimizer).ParamGroups)
            {
                group.LearningRate = learningRate;
            }

            var partial = epoch == resumeFrom?.CompletedEpochs ? resumeFrom.Partial : null;
            var epochStart = epoch;
            var trainLoss = await TrainEpochAsync(network, optimizer, batches, hyperparameters.BatchSize, unchecked(hyperparameters.Seed * 1_000_003 + epoch),
                partial, async (steps, lossSum, rows) =>
                {
                    var step = (long)epochStart * stepsPerEpoch + steps;
                    if (onStepCheckpoint is not null && hyperparameters.CheckpointEverySteps > 0 && step % hyperparameters.CheckpointEverySteps == 0 && steps < stepsPerEpoch)
                    {
                        await onStepCheckpoint(TrainingCheckpoint.Capture(network, optimizer, epochStart, best, withoutImprovement, history,
                            bestNetwork, new PartialEpoch(steps, lossSum, rows)), cancellationToken);
                    }
                }, cancellationToken);
            var metrics = Evaluate(network, batches);
            metrics[MetricNames.TrainLoss] = trainLoss;
            var result = new EpochMetrics(epoch + 1, learningRate, metrics);
            history.Add(result);

            if (result.ValidationLoss < best)
            {
                (best, withoutImprovement) = (result.ValidationLoss, 0);
                bestNetwork = keepsBest ? TrainingCheckpoint.Save(network) : null;
            }
            else
            {
                withoutImprovement++;
            }
            var stopsEarly = keepsBest && withoutImprovement >= hyperparameters.EarlyStoppingPatience;
            // A step checkpoint that falls on the epoch's last step is taken here, after the epoch's evaluation.
            var checkpointDue = (epoch + 1) % hyperparameters.CheckpointEvery == 0 ||
                                (hyperparameters.CheckpointEverySteps > 0 && (long)(epoch + 1) * stepsPerEpoch % hyperparameters.CheckpointEverySteps == 0);
            var checkpoint = checkpointDue && epoch + 1 < hyperparameters.Epochs && !stopsEarly
                ? TrainingCheckpoint.Capture(network, optimizer, epoch + 1, best, withoutImprovement, history, bestNetwork)
                : null;
            await onEpoch(result, checkpoint, cancellationToken);
            if (stopsEarly)
            {
                break;
            }
        }

        var modelEpoch = history[^1];
        if (keepsBest && bestNetwork is not null && withoutImprovement > 0)
        {
            TrainingCheckpoint.Load(network, bestNetwork);
            modelEpoch = history.Last(epoch => epoch.ValidationLoss == best);
        }
        return new TrainedNetwork(network, layers, input, target, data.Classes, history, modelEpoch, data.ValidationSample(256));
    }

    private static readonly Lock InitializationLock = new();

    /// <summary>
    /// One epoch's optimisation steps, from step <paramref name="resume"/>.Steps on when resuming within it; calls
    /// <paramref name="afterStep"/> after each with the steps done and the loss so far. Answers the epoch's mean training loss.
    /// </summary>
    private static async Task<double> TrainEpochAsync(
        nn.Module<Tensor, Tensor> network, optim.Optimizer optimizer, Batches batches, int batchSize, int shuffleSeed, PartialEpoch? resume,
        Func<int, double, long, Task> afterStep, CancellationToken cancellationToken)
    {
        network.train();
        var (total, count, steps) = (resume?.LossSum ?? 0.0, resume?.Rows ?? 0L, 0);
        foreach (var batch in batches.Data.TrainingBatches(batchSize, shuffleSeed))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++steps <= (resume?.Steps ?? 0))
            {
                continue;
            }
            using (var scope = NewDisposeScope())
            {
                var (inputs, targets) = batches.ToTensors(batch);
                optimizer.zero_grad();
                var loss = batches.Loss(network.forward(inputs), targets);
                loss.backward();
                optimizer.step();
                total += loss.item<float>() * batch.Rows;
                count += batch.Rows;
            }
            await afterStep(steps, total, count);
        }
        return total / count;
    }

    private static Dictionary<string, double> Evaluate(nn.Module<Tensor, Tensor> network, Batches batches)
    {
        var target = batches.Target;
        network.eval();
        using var noGrad = no_grad();
        var (loss, correct, squared, absolute, rows) = (0.0, 0.0, 0.0, 0.0, 0L);
        foreach (var batch in batches.Data.ValidationBatches(EvaluationBatchRows))
        {
            using var scope = NewDisposeScope();
            var (inputs, targets) = batches.ToTensors(batch);
            var output = network.forward(inputs);
            loss += batches.Loss(output, targets).item<float>() * batch.Rows;
            if (target is null)
            {
                correct += output.argmax(1).eq(targets).sum().item<long>();
            }
            else
            {
                var error = target.Undo(output) - target.Undo(targets);
                squared += error.square().sum().item<float>();
                absolute += error.abs().sum().item<float>();
            }
            rows += batch.Rows;
        }
        var metrics = new Dictionary<string, double> { [MetricNames.ValidationLoss] = loss / rows };
        if (target is null)
        {
            metrics[MetricNames.Accuracy] = correct / rows;
        }
        else
        {
            metrics[MetricNames.Rmse] = Math.Sqrt(squared / rows);
            metrics[MetricNames.Mae] = absolute / rows;
        }
        return metrics;
    }

    /// <summary>Turns the dataset's batches into standardised tensors on the training device, and scores outputs against them.</summary>
    /// <param name="Target">How regression targets are standardised; null for classification.</param>
    private sealed record Batches(TabularDataset Data, Standardization Input, Standardization? Target, Device Device)
    {
        private bool Classification => Target is null;

        public (Tensor Inputs, Tensor Targets) ToTensors(RowBatch batch)
        {
            var inputs = Input.Apply(tensor(batch.Features, [batch.Rows, Data.FeatureNames.Count]).to(Device));
            var targets = Classification
                ? tensor(batch.Targets.Select(value => (long)value).ToArray()).to(Device)
                : Target!.Apply(tensor(batch.Targets, [batch.Rows, 1]).to(Device));
            return (inputs, targets);
        }

        public Tensor Loss(Tensor output, Tensor targets) => Classification
            ? nn.functional.cross_entropy(output, targets)
            : nn.functional.mse_loss(output, targets);
    }
}
