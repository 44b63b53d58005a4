using System.Diagnostics;
using System.Globalization;

namespace NovaBrain.ServingBenchmarks;

/// <summary>What one target did at one concurrency.</summary>
public sealed record RunResult(string Model, string Target, int Concurrency, double RowsPerSecond, double P50Milliseconds, double P99Milliseconds, long Errors, string? FirstError);

/// <summary>
/// Calls a target from <c>concurrency</c> workers, each waiting for its answer before the next call, for a fixed
/// time after a warm-up; counts rows computed per second and each call's latency.
/// </summary>
public static class LoadRun
{
    public static async Task<RunResult> RunAsync(string model, IInferenceTarget target, int concurrency, TimeSpan duration)
    {
        await CallForAsync(target, concurrency, ServingBenchmarkOptions.WarmUp);
        var started = Stopwatch.GetTimestamp();
        var workers = await CallForAsync(target, concurrency, duration);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var latencies = workers.SelectMany(worker => worker.Latencies).Order().ToList();
        return new RunResult(
            model, target.Name, concurrency, latencies.Count * target.Rows / elapsed.TotalSeconds,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99),
            workers.Sum(worker => worker.Errors), workers.Select(worker => worker.FirstError).FirstOrDefault(error => error is not null));
    }

    private static Task<Worker[]> CallForAsync(IInferenceTarget target, int concurrency, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var worker = new Worker();
            using var timeout = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await target.InferAsync(timeout.Token);
                    worker.Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (Exception exception) when (exception is not OutOfMemoryException)
                {
                    worker.Errors++;
                    worker.FirstError ??= $"{exception.GetType().Name}: {exception.Message}";
                }
            }
            return worker;
        })));
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];

    public static void WriteTable(TextWriter output, IReadOnlyList<RunResult> results)
    {
        output.WriteLine();
        output.WriteLine($"{"model",-6} {"target",-22} {"concurrency",11} {"rows/s",10} {"p50 ms",8} {"p99 ms",8} {"errors",7}  first error");
        foreach (var result in results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Model,-6} {result.Target,-22} {result.Concurrency,11} {result.RowsPerSecond,10:F1} {result.P50Milliseconds,8:F2} {result.P99Milliseconds,8:F2} {result.Errors,7}  {result.FirstError}"));
        }
    }

    private sealed class Worker
    {
        public List<double> Latencies { get; } = [];

        public long Errors { get; set; }

        public string? FirstError { get; set; }
    }
}
