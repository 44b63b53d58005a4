using System.Globalization;

namespace NovaBrain.Benchmarks;

/// <summary>One base address the load is sent to.</summary>
public sealed record Target(string Name, Uri BaseAddress);

/// <summary>What to measure, from the command line.</summary>
public sealed record BenchmarkOptions(
    Uri Gateway,
    Uri Direct,
    string User,
    string Password,
    string Path,
    TimeSpan Duration,
    IReadOnlyList<int> Concurrencies)
{
    /// <summary>Load sent, unmeasured, before each measured run, so connections and caches are warm.</summary>
    public static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    /// <summary>The public client that may use the password grant.</summary>
    public const string ClientId = "novabrain-cli";

    public const string Usage = """
        Usage: NovaBrain.Benchmarks --gateway URL --direct URL --password-file PATH
                                    [--user admin] [--path /api/auth/v1/me] [--seconds 10] [--concurrency 1,16,64]

        Gets a token with the password grant at {gateway}/connect/token (client novabrain-cli, scope openid), then
        sends GET {path} with it through the gateway and to the service directly, for each concurrency, and prints
        requests/s, p50 and p99 latency, errors and the gateway/direct throughput ratio. Any non-2xx answer is an error.

        The gateway rate-limits per principal (Gateway:RateLimits:Management, 100 requests/s by default): raise it for
        the run, e.g. Gateway__RateLimits__Management__PermitLimit=1000000 on the gateway, or the gateway's numbers
        measure the limiter (as 429 errors) instead of the proxy.
        """;

    public IEnumerable<Target> Targets => [new("gateway", Gateway), new("direct", Direct)];

    /// <summary>The options, or <see langword="null"/> with the reason written to <paramref name="error"/>.</summary>
    public static BenchmarkOptions? Parse(string[] args, TextWriter error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error.WriteLine($"Expected '--name value' pairs, got '{args[i]}'.");
                return null;
            }
            values[args[i][2..]] = args[i + 1];
        }

        string[] known = ["gateway", "direct", "user", "password-file", "path", "seconds", "concurrency"];
        if (values.Keys.Except(known).ToList() is [var unknown, ..])
        {
            error.WriteLine($"Unknown option --{unknown}.");
            return null;
        }
        if (!TryAbsoluteUri(values, "gateway", error, out var gateway) || !TryAbsoluteUri(values, "direct", error, out var direct))
        {
            return null;
        }
        if (!values.TryGetValue("password-file", out var passwordFile) || !File.Exists(passwordFile))
        {
            error.WriteLine("--password-file must name a file holding the user's password.");
            return null;
        }
        if (!int.TryParse(values.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
        {
            error.WriteLine("--seconds must be a positive whole number.");
            return null;
        }
        var concurrencies = values.GetValueOrDefault("concurrency", "1,16,64").Split(',')
            .Select(value => int.TryParse(value, CultureInfo.InvariantCulture, out var concurrency) ? concurrency : 0)
            .ToList();
        if (concurrencies is [] || concurrencies.Any(concurrency => concurrency < 1))
        {
            error.WriteLine("--concurrency must be a comma-separated list of positive whole numbers.");
            return null;
        }
        var path = values.GetValueOrDefault("path", "/api/auth/v1/me");
        if (!path.StartsWith('/'))
        {
            error.WriteLine("--path must start with '/'.");
            return null;
        }

        return new BenchmarkOptions(
            gateway,
            direct,
            values.GetValueOrDefault("user", "admin"),
            File.ReadAllText(passwordFile).Trim(),
            path,
            TimeSpan.FromSeconds(seconds),
            concurrencies);
    }

    private static bool TryAbsoluteUri(Dictionary<string, string> values, string name, TextWriter error, out Uri uri)
    {
        if (values.TryGetValue(name, out var value) && Uri.TryCreate(value, UriKind.Absolute, out var parsed))
        {
            uri = parsed;
            return true;
        }
        error.WriteLine($"--{name} must be an absolute URL, e.g. http://localhost:8080.");
        uri = null!;
        return false;
    }
}
