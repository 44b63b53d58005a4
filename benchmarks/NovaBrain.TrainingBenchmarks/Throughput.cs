using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using static TorchSharp.torch;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>One trainer's timed run: the training rows it went through per second, and where it ended up.</summary>
public sealed record ThroughputResult(string Trainer, double WarmUpSeconds, double Seconds, double SamplesPerSecond, double TrainLoss, double ValidationAccuracy);

public static class Throughput
{
    /// <summary>The training service's trainer, as a job runs it, on the CPU with the given threads.</summary>
    public static async Task<ThroughputResult> TorchSharpAsync(TabularDataset data, TrainingBenchmarkOptions options)
    {
        set_num_threads(options.Threads);
        var template = BuiltInTemplates.Find("mlp-classifier", null)!;
        var (trainRows, _) = MlpTrainer.Split(data.Rows, TrainingBenchmarkOptions.ValidationFraction, TrainingBenchmarkOptions.Seed);

        async Task<(double Seconds, EpochMetrics Last)> TrainAsync(int epochs)
        {
            // checkpointEvery past the last epoch: the benchmark measures training, not checkpoint writing.
            var hyperparameters = new Hyperparameters(options.Hidden, TrainingBenchmarkOptions.LearningRate, options.BatchSize, epochs,
                Hyperparameters.Adam, Hyperparameters.Constant, EarlyStoppingPatience: 0, TrainingBenchmarkOptions.ValidationFraction,
                CheckpointEvery: epochs + 1, TrainingBenchmarkOptions.Seed);
            var clock = Stopwatch.StartNew();
            using var trained = await MlpTrainer.TrainAsync(data, template, hyperparameters, CPU, null, (_, _, _) => Task.CompletedTask, CancellationToken.None);
            return (clock.Elapsed.TotalSeconds, trained.History[^1]);
        }

        var (warmUp, _) = await TrainAsync(1);
        var (seconds, last) = await TrainAsync(options.Epochs);
        return new ThroughputResult("TorchSharp (MlpTrainer)", warmUp, seconds, trainRows.Length * options.Epochs / seconds,
            last.Loss, last.Metrics[MetricNames.Accuracy]);
    }

    /// <summary>pytorch_mlp.py, shipped beside this program, on the same split written to a temporary folder.</summary>
    public static async Task<ThroughputResult> PyTorchAsync(TabularDataset data, TrainingBenchmarkOptions options)
    {
        var folder = Directory.CreateTempSubdirectory("novabrain-training-benchmark-");
        try
        {
            SyntheticData.WriteSplit(data, folder.FullName);
            var start = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "pytorch_mlp.py"),
                "--folder", folder.FullName,
                "--features", Invariant(options.Features),
                "--classes", Invariant(options.Classes),
                "--hidden", string.Join(',', options.Hidden),
                "--batch", Invariant(options.BatchSize),
                "--epochs", Invariant(options.Epochs),
                "--learning-rate", TrainingBenchmarkOptions.LearningRate.ToString(CultureInfo.InvariantCulture),
                "--threads", Invariant(options.Threads),
                "--seed", Invariant(TrainingBenchmarkOptions.Seed),
            })
            {
                start.ArgumentList.Add(argument);
            }
            using var python = Process.Start(start) ?? throw new InvalidOperationException($"{options.Python} did not start.");
            var output = python.StandardOutput.ReadToEndAsync();
            var error = python.StandardError.ReadToEndAsync();
            await python.WaitForExitAsync();
            if (python.ExitCode != 0)
            {
                throw new InvalidOperationException($"pytorch_mlp.py exited with {python.ExitCode}: {await error}");
            }
            var result = JsonDocument.Parse(await output).RootElement;
            return new ThroughputResult(
                $"PyTorch {result.GetProperty("torch").GetString()}",
                result.GetProperty("warmup_seconds").GetDouble(),
                result.GetProperty("seconds").GetDouble(),
                result.GetProperty("samples_per_second").GetDouble(),
                result.GetProperty("train_loss").GetDouble(),
                result.GetProperty("val_accuracy").GetDouble());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
