using System.Diagnostics;
using System.Net.Http.Headers;

namespace NovaBrain.Benchmarks;

/// <summary>What one target answered at one concurrency.</summary>
public sealed record RunResult(
    Target Target,
    int Concurrency,
    double RequestsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    long Errors,
    string? FirstError);

/// <summary>
/// Sends the same request from <c>concurrency</c> workers, each waiting for its answer before sending the next, for
/// a fixed time. Only 2xx answers count as requests served; any other answer, and any failure, is an error.
/// </summary>
public static class LoadRun
{
    public static async Task<RunResult> RunAsync(Target target, int concurrency, string accessToken, BenchmarkOptions options)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            // A redirect (to a login page, say) is a failure to measure, not a success to follow.
            AllowAutoRedirect = false,
        })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var uri = new Uri(target.BaseAddress, options.Path);

        await SendForAsync(client, uri, concurrency, BenchmarkOptions.WarmUp);
        var started = Stopwatch.GetTimestamp();
        var workers = await SendForAsync(client, uri, concurrency, options.Duration);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var latencies = workers.SelectMany(worker => worker.Latencies).Order().ToList();
        return new RunResult(
            target,
            concurrency,
            latencies.Count / elapsed.TotalSeconds,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            workers.Sum(worker => worker.Errors),
            workers.Where(worker => worker.FirstError is not null).MinBy(worker => worker.FirstErrorAt)?.FirstError);
    }

    private static Task<Worker[]> SendForAsync(HttpClient client, Uri uri, int concurrency, TimeSpan duration)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var worker = new Worker();
            while (Stopwatch.GetTimestamp() < deadline)
            {
                await worker.SendAsync(client, uri);
            }
            return worker;
        })));
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(fraction * sorted.Count) - 1)];

    private sealed class Worker
    {
        public List<double> Latencies { get; } = [];

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public long FirstErrorAt { get; private set; }

        public async Task SendAsync(HttpClient client, Uri uri)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseContentRead);
                if (response.IsSuccessStatusCode)
                {
                    Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return;
                }
                Fail(started, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                Fail(started, $"{exception.GetType().Name}: {exception.Message}");
            }
        }

        private void Fail(long at, string error)
        {
            if (Errors++ == 0)
            {
                FirstError = error;
                FirstErrorAt = at;
            }
        }
    }
}
