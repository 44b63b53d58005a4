using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>PostgreSQL run from the installed binaries, as the postgres user when the AppHost is root (PostgreSQL refuses root).</summary>
public sealed class LocalPostgresServerResource(string name, string command, string dataRoot, ParameterResource password, LocalBinaries binaries)
    : LocalServerResource(name, command, dataRoot)
{
    public const string UserName = "postgres";

    private readonly List<LocalPostgresDatabaseResource> _databases = [];

    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>The folder holding the data directory; owned by the postgres user when running as root.</summary>
    public string DataRoot { get; } = dataRoot;

    public string DataDirectory => Path.Combine(DataRoot, "data");

    public LocalBinaries Binaries { get; } = binaries;

    public IReadOnlyList<LocalPostgresDatabaseResource> Databases => _databases;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host={Host};Port={Port};Username={UserName};Password={PasswordParameter}");

    internal void AddDatabase(LocalPostgresDatabaseResource database) => _databases.Add(database);
}

/// <summary>A database on a <see cref="LocalPostgresServerResource"/>, created when the server is ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class LocalPostgresBuilderExtensions
{
    private const string SetPriv = "/usr/bin/setpriv";
    private static readonly string[] AsPostgresUser = ["--reuid=postgres", "--regid=postgres", "--init-groups"];

    /// <summary>Adds a PostgreSQL server process; the data directory is created by initdb on first start.</summary>
    public static IResourceBuilder<LocalPostgresServerResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalState state)
    {
        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var dataRoot = DataRoot(state, name);
        var command = RunsAsPostgresUser ? SetPriv : binaries.Postgres;
        var server = new LocalPostgresServerResource(name, command, dataRoot, password.Resource, binaries);

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (@event, ct) => InitializeAsync(server, @event.Services, ct));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, (@event, ct) => CreateDatabasesAsync(server, @event.Services, ct));

        return builder.AddResource(server)
            .WithLoopbackEndpoint(LocalServerResource.TcpEndpointName)
            .WithArgs(context =>
            {
                if (RunsAsPostgresUser)
                {
                    context.Args.Add(AsPostgresUser[0]);
                    context.Args.Add(AsPostgresUser[1]);
                    context.Args.Add(AsPostgresUser[2]);
                    context.Args.Add(binaries.Postgres);
                }

                context.Args.Add("-D");
                context.Args.Add(server.DataDirectory);
                context.Args.Add("-p");
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("-c");
                context.Args.Add("listen_addresses=127.0.0.1");
                context.Args.Add("-c");
                context.Args.Add("unix_socket_directories=");
            })
            .WithServerHealthCheck((resource, ct) => QueryAsync(resource, "SELECT 1", ct));
    }

    /// <summary>Adds a database on the server; its resource name is its connection name.</summary>
    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<LocalPostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
        server.Resource.AddDatabase(database);
        return server.ApplicationBuilder.AddResource(database)
            .WithServerHealthCheck((resource, ct) => QueryAsync(resource, "SELECT 1", ct));
    }

    private static bool RunsAsPostgresUser => Environment.IsPrivilegedProcess;

    /// <summary>
    /// The postgres user must reach its data directory; when it cannot traverse the state folder
    /// (e.g. one under /root) the data goes to a folder outside it.
    /// </summary>
    private static string DataRoot(LocalState state, string name)
    {
        var preferred = Path.Combine(state.Root, name);
        return !RunsAsPostgresUser || TraversableByOthers(state.Root)
            ? preferred
            : Path.Combine("/var/tmp", $"novabrain-{state.Id}", name);
    }

    private static bool TraversableByOthers(string folder)
    {
        for (var current = new DirectoryInfo(folder); current is not null; current = current.Parent)
        {
            if (current.Exists && !current.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }

    private static async Task InitializeAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken ct)
    {
        var logger = services.GetRequiredService<ResourceLoggerService>().GetLogger(server);
        Directory.CreateDirectory(server.DataRoot);
        if (File.Exists(Path.Combine(server.DataDirectory, "PG_VERSION")))
        {
            return;
        }

        logger.LogInformation("Creating the PostgreSQL data directory {DataDirectory} with initdb", server.DataDirectory);
        var passwordFile = Path.Combine(server.DataRoot, "initdb.pw");
        await File.WriteAllTextAsync(passwordFile, await server.PasswordParameter.GetValueAsync(ct), ct);
        try
        {
            if (RunsAsPostgresUser)
            {
                await RunAsync("chown", ["postgres:postgres", server.DataRoot, passwordFile], ct);
            }

            string[] initdb =
            [
                server.Binaries.Initdb, "-D", server.DataDirectory, "-U", LocalPostgresServerResource.UserName,
                "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--locale=C.UTF-8",
            ];
            await (RunsAsPostgresUser ? RunAsync(SetPriv, [.. AsPostgresUser, .. initdb], ct) : RunAsync(initdb[0], initdb[1..], ct));
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresServerResource server, IServiceProvider services, CancellationToken ct)
    {
        await using (var connection = new NpgsqlConnection(await server.ConnectionStringExpression.GetValueAsync(ct) + ";Pooling=false"))
        {
            await connection.OpenAsync(ct);
            foreach (var database in server.Databases)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                exists.Parameters.AddWithValue("name", database.DatabaseName);
                if (await exists.ExecuteScalarAsync(ct) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName.Replace("\"", "\"\"")}\"", connection);
                    await create.ExecuteNonQueryAsync(ct);
                }
            }
        }

        // Aspire moves the children of containers along with their parent, not those of executables.
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        foreach (var database in server.Databases)
        {
            await notifications.PublishUpdateAsync(database, state => state with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            });
        }
    }

    private static async Task QueryAsync(IResourceWithConnectionString resource, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(await resource.ConnectionStringExpression.GetValueAsync(ct) + ";Pooling=false");
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteScalarAsync(ct);
    }

    private static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await error}{await output}");
        }
    }
}
