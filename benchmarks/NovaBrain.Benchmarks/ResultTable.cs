using System.Globalization;

namespace NovaBrain.Benchmarks;

public static class ResultTable
{
    public static void Write(TextWriter output, IReadOnlyList<RunResult> results)
    {
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine();
        output.WriteLine($"{"target",-8} {"concurrency",11} {"requests/s",11} {"p50 ms",8} {"p99 ms",8} {"errors",7}  first error");
        foreach (var result in results)
        {
            output.WriteLine(string.Create(culture,
                $"{result.Target.Name,-8} {result.Concurrency,11} {result.RequestsPerSecond,11:F1} {result.P50Milliseconds,8:F2} {result.P99Milliseconds,8:F2} {result.Errors,7}  {result.FirstError}"));
        }

        output.WriteLine();
        output.WriteLine($"{"concurrency",11} {"gateway/direct requests/s",26}");
        foreach (var byConcurrency in results.GroupBy(result => result.Concurrency))
        {
            var gateway = byConcurrency.Single(result => result.Target.Name == "gateway").RequestsPerSecond;
            var direct = byConcurrency.Single(result => result.Target.Name == "direct").RequestsPerSecond;
            output.WriteLine(string.Create(culture, $"{byConcurrency.Key,11} {(direct > 0 ? gateway / direct : double.NaN),26:F2}"));
        }
    }
}
