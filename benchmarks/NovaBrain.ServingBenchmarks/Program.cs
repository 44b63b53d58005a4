using Google.Protobuf;
using NovaBrain.Onnx.Building;
using NovaBrain.ServingBenchmarks;

if (ServingBenchmarkOptions.Parse(args, Console.Error) is not { } options)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(ServingBenchmarkOptions.Usage);
    return 2;
}

// small: transport-bound, batches at once; large: compute-bound, waits up to the queue delay for fuller batches.
var models = new (string Label, int[] Widths, int QueueDelayMicroseconds)[]
{
    ("small", [784, 256, 10], 0),
    ("large", [4096, 4096, 4096, 4096, 10], options.LargeQueueDelayMicroseconds),
};
using var platform = new Platform(options);
await platform.SignInAsync();
var run = Guid.NewGuid().ToString("N")[..8];
var results = new List<RunResult>();

foreach (var (label, widths, queueDelay) in models)
{
    var file = OnnxModels.Mlp(widths, seed: 1).ToByteArray();
    var model = $"bench-{label}-{run}";
    Console.Error.WriteLine($"{label}: registering {model} ({file.Length / 1024} KiB) and deploying it with batching off and on...");
    await platform.RegisterAsync(model, file);
    var (unbatched, batched) = ($"{model}-off", $"{model}-on");
    await platform.DeployAsync(unbatched, $"models:/{model}/1", maxBatchSize: 0, maxQueueDelayMicroseconds: 0);
    await platform.DeployAsync(batched, $"models:/{model}/1", options.MaxBatchSize, queueDelay);

    using (var single = new OnnxRuntimeTarget(file, widths[0], rows: 1))
    using (var full = new OnnxRuntimeTarget(file, widths[0], options.MaxBatchSize))
    {
        Console.Error.WriteLine($"{label}: ONNX Runtime in process...");
        results.Add(await LoadRun.RunAsync(label, single, 1, options.Duration));
        results.Add(await LoadRun.RunAsync(label, full, 1, options.Duration));
    }

    var floor = new GrpcTarget(LoadRun.TransportFloor, options.Grpc, platform.AccessToken, batched, widths[0], transportFloor: true);
    if (!await LoadRun.IsServedAsync(floor))
    {
        Console.Error.WriteLine($"{label}: the transport floor is not served at {options.Grpc}; start model serving with ModelServing__Benchmark__EchoEnabled=true for row (b).");
        floor.Dispose();
        floor = null;
    }
    IInferenceTarget[] targets =
    [
        .. floor is null ? Array.Empty<IInferenceTarget>() : [floor],
        new GrpcTarget(LoadRun.GrpcBatchingOff, options.Grpc, platform.AccessToken, unbatched, widths[0]),
        new GrpcTarget(LoadRun.GrpcBatchingOn, options.Grpc, platform.AccessToken, batched, widths[0]),
        new RestTarget("rest batching off", options.Rest, platform.AccessToken, unbatched, widths[0]),
        new RestTarget("rest batching on", options.Rest, platform.AccessToken, batched, widths[0]),
    ];
    foreach (var concurrency in options.Concurrencies)
    {
        foreach (var target in targets)
        {
            Console.Error.WriteLine($"{label}: {target.Name} at concurrency {concurrency}...");
            results.Add(await LoadRun.RunAsync(label, target, concurrency, options.Duration));
        }
    }
    foreach (var target in targets)
    {
        target.Dispose();
    }
    await platform.DeleteAsync(unbatched);
    await platform.DeleteAsync(batched);
}

LoadRun.WriteTable(Console.Out, results);
LoadRun.WriteRatios(Console.Out, results, options.MaxBatchSize);
return results.Any(result => result.Errors > 0) ? 1 : 0;
