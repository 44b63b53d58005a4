using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using static TorchSharp.torch;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>One timed run of a trainer: wall and CPU seconds, and where the training ended up.</summary>
public sealed record TrainingRun(double Seconds, double CpuSeconds, double TrainLoss, double ValidationAccuracy);

/// <summary>A trainer's fastest run of the rounds, as training rows per second of wall time and of CPU time.</summary>
public sealed record ThroughputResult(string Trainer, TrainingRun Best, int Rounds, double SamplesPerSecond, double SamplesPerCpuSecond);

/// <summary>Both trainers' results, and the BLAS library PyTorch's process loaded.</summary>
public sealed record Comparison(ThroughputResult TorchSharp, ThroughputResult PyTorch, string PyTorchBlas);

/// <summary>
/// The training service's TorchSharp trainer against pytorch_mlp.py on the same rows. Runs alternate, round by round,
/// so that both trainers meet the same machine (other work on a shared host comes and goes), and each keeps its
/// fastest run.
/// </summary>
public static class Throughput
{
    public static async Task<Comparison> CompareAsync(TabularDataset data, TrainingBenchmarkOptions options)
    {
        set_num_threads(options.Threads);
        var trainRows = data.TrainingRows;
        var folder = Directory.CreateTempSubdirectory("novabrain-training-benchmark-");
        try
        {
            SyntheticData.WriteSplit(data, folder.FullName);
            // As the script does: one epoch on a tenth of the rows loads and initialises the libraries.
            using (var tenth = await SyntheticData.CreateAsync(options, options.Rows / 10))
            {
                await TorchSharpAsync(tenth, options, epochs: 1);
            }

            var (torchSharp, pyTorch) = (new List<TrainingRun>(), new List<TrainingRun>());
            var (pyTorchName, blas) = ("PyTorch", "");
            for (var round = 1; round <= options.Rounds; round++)
            {
                Console.Error.WriteLine($"round {round} of {options.Rounds}: TorchSharp, then PyTorch...");
                torchSharp.Add(await TorchSharpAsync(data, options, options.Epochs));
                (var run, pyTorchName, blas) = await PyTorchAsync(folder.FullName, options);
                pyTorch.Add(run);
            }
            return new Comparison(Fastest("TorchSharp (NetworkTrainer)", torchSharp), Fastest(pyTorchName, pyTorch), blas);
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        ThroughputResult Fastest(string trainer, List<TrainingRun> runs)
        {
            var best = runs.MinBy(run => run.Seconds)!;
            var samples = (double)trainRows * options.Epochs;
            return new ThroughputResult(trainer, best, runs.Count, samples / best.Seconds, samples / best.CpuSeconds);
        }
    }

    /// <summary>The training service's trainer, as a job runs it, on the CPU.</summary>
    private static async Task<TrainingRun> TorchSharpAsync(TabularDataset data, TrainingBenchmarkOptions options, int epochs)
    {
        var template = BuiltInTemplates.Find("mlp-classifier", null)!;
        // checkpointEvery past the last epoch: the benchmark measures training, not checkpoint writing.
        var hyperparameters = new Hyperparameters(options.Hidden, TrainingBenchmarkOptions.LearningRate, options.BatchSize, epochs,
            Hyperparameters.Adam, Hyperparameters.Constant, EarlyStoppingPatience: 0, TrainingBenchmarkOptions.ValidationFraction,
            CheckpointEvery: epochs + 1, TrainingBenchmarkOptions.Seed);
        using var process = Process.GetCurrentProcess();
        var cpuStarted = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        using var trained = await NetworkTrainer.TrainAsync(data, template, hyperparameters, CPU, null, (_, _, _) => Task.CompletedTask, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var last = trained.History[^1];
        return new TrainingRun(seconds, (process.TotalProcessorTime - cpuStarted).TotalSeconds, last.Loss, last.Metrics[MetricNames.Accuracy]);
    }

    /// <summary>pytorch_mlp.py, shipped beside this program, on the split written to <paramref name="folder"/>.</summary>
    private static async Task<(TrainingRun Run, string Trainer, string Blas)> PyTorchAsync(string folder, TrainingBenchmarkOptions options)
    {
        var start = new ProcessStartInfo(options.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        // torch.set_num_threads does not reach OpenBLAS's own thread pool, which would otherwise take every core.
        start.Environment["OPENBLAS_NUM_THREADS"] = Invariant(options.Threads);
        if (options.PythonLibraryPath is not null)
        {
            start.Environment["LD_LIBRARY_PATH"] = options.PythonLibraryPath;
        }
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "pytorch_mlp.py"),
            "--folder", folder,
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
        return (new TrainingRun(
                result.GetProperty("seconds").GetDouble(),
                result.GetProperty("cpu_seconds").GetDouble(),
                result.GetProperty("train_loss").GetDouble(),
                result.GetProperty("val_accuracy").GetDouble()),
            $"PyTorch {result.GetProperty("torch").GetString()}",
            result.GetProperty("blas").GetString()!);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
