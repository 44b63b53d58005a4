using System.Globalization;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>What to measure, from the command line.</summary>
public sealed record TrainingBenchmarkOptions(
    int Threads, int Rounds, int Rows, int Features, int Classes, IReadOnlyList<int> Hidden, int BatchSize, int Epochs, string Python, string? PythonLibraryPath,
    Uri? Gateway, string User, string? Password, int Repetitions)
{
    public const string ClientId = "novabrain-cli";
    public const double LearningRate = 0.001;
    public const double ValidationFraction = 0.05;
    public const int Seed = 7;

    public const string Usage = """
        Usage: NovaBrain.TrainingBenchmarks [--threads N] [--rounds 3] [--rows 10000] [--features 64] [--classes 10]
                                            [--hidden 256,256] [--batch 64] [--epochs 2] [--python /usr/bin/python3]
                                            [--python-library-path DIR]
                                            [--gateway URL --password-file PATH [--user admin] [--repetitions 5]]

        1. Training throughput: the training service's TorchSharp trainer (NetworkTrainer, Adam, cross-entropy) against
           PyTorch running pytorch_mlp.py on the same synthetic rows, MLP, batch size and thread count (--threads,
           default all cores). Each warms up with an epoch on a tenth of the rows; then --rounds times, alternating,
           each trains --epochs epochs. Prints the fastest run of each as training rows per second of wall time and
           of CPU time, and the TorchSharp/PyTorch ratios (the goal is 0.9 or more). --python is an interpreter with
           torch and numpy (Debian's python3-torch installs into /usr/bin/python3). Debian's torch multiplies matrices
           with the system's libblas.so.3, which may be netlib's reference BLAS (an order of magnitude slower than
           OpenBLAS); the table names the one it loaded, and --python-library-path (LD_LIBRARY_PATH for the script)
           points it at another, e.g. /usr/lib/x86_64-linux-gnu/openblas-pthread.
        2. With --gateway (a running system, e.g. ./novabrain up): submits a tiny job --repetitions times, one after
           the other so that a worker is idle, and prints p50 and max of submit → claimed (Running) and submit → first
           progress event (its first epoch), from the job's own timestamps.
        """;

    public static TrainingBenchmarkOptions? Parse(string[] args, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }
        if (args.Length % 2 != 0)
        {
            error.WriteLine("Each option takes one value.");
            return null;
        }
        string? password = null;
        if (values.TryGetValue("--gateway", out _))
        {
            if (!values.TryGetValue("--password-file", out var passwordFile) || !File.Exists(passwordFile))
            {
                error.WriteLine("--gateway needs --password-file, the path of a file holding the password.");
                return null;
            }
            password = File.ReadAllText(passwordFile).Trim();
        }

        int Number(string name, int fallback) =>
            values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
        return new TrainingBenchmarkOptions(
            Number("--threads", Environment.ProcessorCount),
            Number("--rounds", 3),
            Number("--rows", 10000),
            Number("--features", 64),
            Number("--classes", 10),
            (values.GetValueOrDefault("--hidden") ?? "256,256").Split(',').Select(width => int.Parse(width, CultureInfo.InvariantCulture)).ToArray(),
            Number("--batch", 64),
            Number("--epochs", 2),
            values.GetValueOrDefault("--python") ?? "/usr/bin/python3",
            values.GetValueOrDefault("--python-library-path"),
            values.TryGetValue("--gateway", out var gateway) ? new Uri(gateway) : null,
            values.GetValueOrDefault("--user") ?? "admin",
            password,
            Number("--repetitions", 5));
    }
}
