namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>The server binaries local mode runs, found in configuration or the Debian/Ubuntu package locations.</summary>
public sealed record LocalBinaries(string PostgresBin, string RedisServer, string RabbitMqServer, string Epmd, string Prometheus)
{
    public const string PostgresPackage = "postgresql";
    public const string RedisPackage = "redis-server";
    public const string RabbitMqPackage = "rabbitmq-server";
    public const string PrometheusPackage = "prometheus";

    private const string PostgresVersionsRoot = "/usr/lib/postgresql";

    public string Initdb => Path.Combine(PostgresBin, "initdb");

    public string Postgres => Path.Combine(PostgresBin, "postgres");

    /// <summary>Resolves every binary; <see cref="MissingPackages"/> lists the packages to install for those not found.</summary>
    public static LocalBinaries Locate(LocalBinaryOverrides overrides) => new(
        overrides.PostgresBin ?? NewestPostgresBin() ?? Path.Combine(PostgresVersionsRoot, "<version>", "bin"),
        overrides.RedisServer ?? FirstExisting("/usr/bin/redis-server", "/usr/local/bin/redis-server"),
        overrides.RabbitMqServer ?? "/usr/lib/rabbitmq/bin/rabbitmq-server",
        overrides.Epmd ?? FirstExisting("/usr/bin/epmd", "/usr/local/bin/epmd"),
        overrides.Prometheus ?? FirstExisting("/usr/bin/prometheus", "/usr/local/bin/prometheus"));

    /// <summary>The Debian/Ubuntu packages providing the binaries that are not there.</summary>
    public IReadOnlyCollection<string> MissingPackages()
    {
        var missing = new List<string>();
        if (!File.Exists(Initdb) || !File.Exists(Postgres))
        {
            missing.Add(PostgresPackage);
        }

        if (!File.Exists(RedisServer))
        {
            missing.Add(RedisPackage);
        }

        // epmd comes with erlang-base, which rabbitmq-server depends on.
        if (!File.Exists(RabbitMqServer) || !File.Exists(Epmd))
        {
            missing.Add(RabbitMqPackage);
        }

        if (!File.Exists(Prometheus))
        {
            missing.Add(PrometheusPackage);
        }

        return missing;
    }

    private static string? NewestPostgresBin() =>
        !Directory.Exists(PostgresVersionsRoot)
            ? null
            : Directory.EnumerateDirectories(PostgresVersionsRoot)
                .Select(folder => (Version: int.TryParse(Path.GetFileName(folder), out var version) ? version : -1, Bin: Path.Combine(folder, "bin")))
                .Where(candidate => candidate.Version >= 0 && File.Exists(Path.Combine(candidate.Bin, "postgres")))
                .OrderByDescending(candidate => candidate.Version)
                .Select(candidate => candidate.Bin)
                .FirstOrDefault();

    private static string FirstExisting(params string[] candidates) => candidates.FirstOrDefault(File.Exists) ?? candidates[0];
}
