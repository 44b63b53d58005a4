using System.Globalization;
using NovaBrain.TrainingBenchmarks;

if (TrainingBenchmarkOptions.Parse(args, Console.Error) is not { } options)
{
    Console.Error.WriteLine();
    Console.Error.WriteLine(TrainingBenchmarkOptions.Usage);
    return 2;
}

using var data = await SyntheticData.CreateAsync(options, options.Rows);
Console.Error.WriteLine(
    $"MLP {options.Features}-{string.Join('-', options.Hidden)}-{options.Classes}, {options.Rows} rows, batch {options.BatchSize}, " +
    $"{options.Epochs} epochs, {options.Threads} threads");
var comparison = await Throughput.CompareAsync(data, options);

Console.WriteLine($"{"trainer (fastest of " + options.Rounds + ")",-26} {"timed s",8} {"CPU s",7} {"samples/s",10} {"per CPU s",10} {"train loss",11} {"val acc",8}");
foreach (var result in new[] { comparison.TorchSharp, comparison.PyTorch })
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{result.Trainer,-26} {result.Best.Seconds,8:F2} {result.Best.CpuSeconds,7:F2} {result.SamplesPerSecond,10:F0} {result.SamplesPerCpuSecond,10:F0} {result.Best.TrainLoss,11:F4} {result.Best.ValidationAccuracy,8:F3}"));
}
Console.WriteLine($"PyTorch's BLAS: {comparison.PyTorchBlas}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"TorchSharp / PyTorch throughput: {comparison.TorchSharp.SamplesPerSecond / comparison.PyTorch.SamplesPerSecond:F2}x per second, " +
    $"{comparison.TorchSharp.SamplesPerCpuSecond / comparison.PyTorch.SamplesPerCpuSecond:F2}x per CPU second (goal: 0.90x or more)"));

if (options.Gateway is not null)
{
    Console.Error.WriteLine($"Submitting {options.Repetitions} tiny jobs through {options.Gateway}...");
    using var latency = new SubmitLatency(options);
    SubmitLatency.WriteTable(Console.Out, await latency.MeasureAsync());
}
return 0;
