using NovaBrain.Benchmarks;

if (BenchmarkOptions.Parse(args, Console.Error) is not { } options)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

var results = new List<RunResult>();
foreach (var concurrency in options.Concurrencies)
{
    foreach (var target in options.Targets)
    {
        // A token per run, so that no run outlives its token however long the benchmark is.
        var accessToken = await TokenClient.RequestAsync(options);
        Console.Error.WriteLine($"{target.Name} ({target.BaseAddress}) at concurrency {concurrency}...");
        results.Add(await LoadRun.RunAsync(target, concurrency, accessToken, options));
    }
}

ResultTable.Write(Console.Out, results);
return results.Any(result => result.Errors > 0) ? 1 : 0;
