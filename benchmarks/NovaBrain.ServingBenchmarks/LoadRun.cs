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
    public const string TransportFloor = "grpc transport floor";
    public const string GrpcBatchingOff = "grpc batching off";
    public const string GrpcBatchingOn = "grpc batching on";

    /// <summary>Whether the target answers at all; false when the server does not serve its method (gRPC UNIMPLEMENTED).</summary>
    public static async Task<bool> IsServedAsync(IInferenceTarget target)
    {
        try
        {
            await target.InferAsync(CancellationToken.None);
            return true;
        }
        catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.Unimplemented)
        {
            return false;
        }
    }

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

    /// <summary>
    /// The issue's goals as ratios of gRPC rows/s: (d) batching on over (b) the transport floor (small model: at least
    /// 0.8), over (c) batching off (large model at concurrency 64: at least 3) and over (a) ONNX Runtime at the max batch
    /// (large model: at least 0.7). A ratio whose rows were not measured is shown as "-".
    /// </summary>
    public static void WriteRatios(TextWriter output, IReadOnlyList<RunResult> results, int maxBatchSize)
    {
        double? RowsPerSecond(string model, string target, int concurrency) =>
            results.FirstOrDefault(result => result.Model == model && result.Target == target && result.Concurrency == concurrency && result.Errors == 0)?.RowsPerSecond;
        string Ratio(double? numerator, double? denominator) =>
            numerator is { } n && denominator is { } d && d > 0 ? string.Create(CultureInfo.InvariantCulture, $"{n / d:F2}") : "-";

        output.WriteLine();
        output.WriteLine($"{"model",-6} {"concurrency",11} {"(d)/(b) floor",14} {"(d)/(c) off",12} {"(d)/(a b" + maxBatchSize + ")",13}");
        foreach (var (model, concurrency) in results.Where(result => result.Target == GrpcBatchingOn).Select(result => (result.Model, result.Concurrency)).Distinct())
        {
            var batched = RowsPerSecond(model, GrpcBatchingOn, concurrency);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{model,-6} {concurrency,11} {Ratio(batched, RowsPerSecond(model, TransportFloor, concurrency)),14} {Ratio(batched, RowsPerSecond(model, GrpcBatchingOff, concurrency)),12} {Ratio(batched, RowsPerSecond(model, $"onnxruntime b{maxBatchSize}", 1)),13}"));
        }
        output.WriteLine("goals: small (d)/(b) >= 0.8; large at concurrency 64 (d)/(c) >= 3 and (d)/(a) >= 0.7");
    }

    private sealed class Worker
    {
        public List<double> Latencies { get; } = [];

        public long Errors { get; set; }

        public string? FirstError { get; set; }
    }
}
