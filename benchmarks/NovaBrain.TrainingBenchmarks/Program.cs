using System.Globalization;
using NovaBrain.TrainingBenchmarks;

if (TrainingBenchmarkOptions.Parse(args, Console.Error) is not { } options)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(TrainingBenchmarkOptions.Usage);
    return 2;
}

var data = SyntheticData.Create(options);
Console.Error.WriteLine(
    $"MLP {options.Features}-{string.Join('-', options.Hidden)}-{options.Classes}, {options.Rows} rows, batch {options.BatchSize}, " +
    $"{options.Epochs} epochs, {options.Threads} threads");
Console.Error.WriteLine("TorchSharp...");
var torchSharp = await Throughput.TorchSharpAsync(data, options);
Console.Error.WriteLine("PyTorch...");
var pyTorch = await Throughput.PyTorchAsync(data, options);

Console.WriteLine($"{"trainer",-26} {"warm-up s",10} {"timed s",8} {"samples/s",10} {"train loss",11} {"val acc",8}");
foreach (var result in new[] { torchSharp, pyTorch })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Trainer,-26} {result.WarmUpSeconds,10:F2} {result.Seconds,8:F2} {result.SamplesPerSecond,10:F0} {result.TrainLoss,11:F4} {result.ValidationAccuracy,8:F3}"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"TorchSharp / PyTorch throughput: {torchSharp.SamplesPerSecond / pyTorch.SamplesPerSecond:F2}x (goal: 0.90x or more)"));

if (options.Gateway is not null)
{
    Console.Error.WriteLine($"Submitting {options.Repetitions} tiny jobs through {options.Gateway}...");
    using var latency = new SubmitLatency(options);
    SubmitLatency.WriteTable(Console.Out, await latency.MeasureAsync());
}
return 0;
