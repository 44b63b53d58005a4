using System.Globalization;

namespace NovaBrain.ServingBenchmarks;

/// <summary>What to measure, from the command line.</summary>
public sealed record ServingBenchmarkOptions(
    Uri Gateway, Uri Rest, Uri Grpc, string User, string Password, TimeSpan Duration, IReadOnlyList<int> Concurrencies, int MaxBatchSize, int LargeQueueDelayMicroseconds)
{
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    public const string ClientId = "novabrain-cli";

    public const string Usage = """
        Usage: NovaBrain.ServingBenchmarks --gateway URL --password-file PATH
                                           [--rest URL] [--grpc URL] [--user admin] [--seconds 10]
                                           [--concurrency 1,16,64] [--max-batch 64] [--large-queue-delay-us 20000]

        Writes two MLPs (small: 784-256-10, transport-bound; large: 4096 wide, 4 layers, compute-bound), registers them
        in the registry through the gateway and deploys each twice: batching off (maxBatchSize 0) and on
        (maxBatchSize --max-batch; the large model also waits up to --large-queue-delay-us for fuller batches,
        the small one not at all). Then, per model, sends single-row requests from each concurrency's workers for
        the given time and prints rows/s, p50 and p99 for:
          onnxruntime      (a) ONNX Runtime in this process at batch 1 and at the max batch (the compute limit)
          transport floor  (b) a same-size gRPC answer from serving's own stack without inference; served only
                           when serving runs with ModelServing__Benchmark__EchoEnabled=true, at its own --grpc
          grpc / rest      (c), (d) model serving over gRPC (raw contents) and REST (binary tensor data),
                           batching off and on
        and then the goals as ratios of gRPC rows/s: (d)/(b), (d)/(c) and (d)/(a at the max batch).
        --rest and --grpc default to the gateway's HTTP and gRPC addresses; point them at model serving's own
        endpoints to leave the gateway (and its inference rate limit, Gateway:RateLimits:Inference) out.
        """;

    public static ServingBenchmarkOptions? Parse(string[] args, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }
        if (args.Length % 2 != 0 || !values.TryGetValue("--gateway", out var gateway) || !values.TryGetValue("--password-file", out var passwordFile))
        {
            error.WriteLine("--gateway and --password-file are required, each option with one value.");
            return null;
        }
        if (!File.Exists(passwordFile))
        {
            error.WriteLine($"No password file at {passwordFile}.");
            return null;
        }

        var gatewayUri = new Uri(gateway);
        var grpc = values.GetValueOrDefault("--grpc") ?? new UriBuilder(gatewayUri) { Port = gatewayUri.Port + 1 }.Uri.ToString();
        return new ServingBenchmarkOptions(
            gatewayUri,
            new Uri(values.GetValueOrDefault("--rest") ?? gateway),
            new Uri(grpc),
            values.GetValueOrDefault("--user") ?? "admin",
            File.ReadAllText(passwordFile).Trim(),
            TimeSpan.FromSeconds(int.Parse(values.GetValueOrDefault("--seconds") ?? "10", CultureInfo.InvariantCulture)),
            (values.GetValueOrDefault("--concurrency") ?? "1,16,64").Split(',').Select(value => int.Parse(value, CultureInfo.InvariantCulture)).ToArray(),
            int.Parse(values.GetValueOrDefault("--max-batch") ?? "64", CultureInfo.InvariantCulture),
            int.Parse(values.GetValueOrDefault("--large-queue-delay-us") ?? "20000", CultureInfo.InvariantCulture));
    }
}
