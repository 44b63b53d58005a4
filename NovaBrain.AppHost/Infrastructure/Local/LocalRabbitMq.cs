using System.Net.Sockets;
using RabbitMQ.Client;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>
/// RabbitMQ run from the installed <c>rabbitmq-server</c>. Node name, data folder and ports are fixed for the
/// state folder so a restart finds its durable queues and persistent messages again.
/// </summary>
public sealed class LocalRabbitMqServerResource(
    string name, string command, string stateFolder, ParameterResource password, string nodeName, int distributionPort)
    : LocalServerResource(name, command, stateFolder)
{
    public const string UserName = "novabrain";

    public ParameterResource PasswordParameter { get; } = password;

    public string StateFolder { get; } = stateFolder;

    public string NodeName { get; } = nodeName;

    public int DistributionPort { get; } = distributionPort;

    public string ConfigFile => Path.Combine(StateFolder, "rabbitmq.conf");

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"amqp://{UserName}:{PasswordParameter}@{Host}:{Port}");
}

/// <summary>
/// The Erlang port mapper RabbitMQ registers with, run in the foreground as its own resource: started by
/// Erlang it would daemonize and outlive the AppHost.
/// </summary>
public sealed class LocalEpmdResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithEndpoints
{
    public EndpointReference PrimaryEndpoint => new(this, LocalServerResource.TcpEndpointName);
}

public static class LocalRabbitMqBuilderExtensions
{
    public static IResourceBuilder<LocalRabbitMqServerResource> AddLocalRabbitMq(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalState state)
    {
        var folder = state.Folder(name);
        var epmdResource = new LocalEpmdResource($"{name}-epmd", binaries.Epmd, folder);
        var epmd = builder.AddResource(epmdResource)
            .WithLoopbackEndpoint(LocalServerResource.TcpEndpointName)
            .WithArgs(context =>
            {
                context.Args.Add("-port");
                context.Args.Add(epmdResource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithServerHealthCheck(async (resource, ct) =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", resource.PrimaryEndpoint.TargetPort ?? 0, ct);
            });

        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var rabbit = new LocalRabbitMqServerResource(
            name, binaries.RabbitMqServer, folder, password.Resource, $"novabrain-{state.Id}@localhost", LocalState.FreePort());

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(rabbit, (@event, ct) => WriteConfigurationAsync(rabbit, ct));

        return builder.AddResource(rabbit)
            .WithLoopbackEndpoint(LocalServerResource.TcpEndpointName)
            .WithEnvironment(context =>
            {
                var env = context.EnvironmentVariables;
                env["HOME"] = folder;
                env["RABBITMQ_NODENAME"] = rabbit.NodeName;
                env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
                env["RABBITMQ_NODE_PORT"] = rabbit.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_DIST_PORT"] = rabbit.DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
                env["ERL_EPMD_PORT"] = epmd.Resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort);
                env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-start_epmd false";
                env["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia");
                env["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log");
                env["RABBITMQ_LOGS"] = "-";
                env["RABBITMQ_CONFIG_FILE"] = rabbit.ConfigFile;
                env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins");
                // Keep the machine-wide /etc/rabbitmq files out of this node.
                env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(folder, "rabbitmq-env.conf");
                env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(folder, "advanced.config");
            })
            .WaitFor(epmd)
            .WithServerHealthCheck(async (resource, ct) =>
            {
                var factory = new ConnectionFactory { Uri = new Uri(await resource.ConnectionStringExpression.GetValueAsync(ct) ?? string.Empty) };
                await using var connection = await factory.CreateConnectionAsync(ct);
            });
    }

    private static async Task WriteConfigurationAsync(LocalRabbitMqServerResource rabbit, CancellationToken ct)
    {
        // The default user is created with this password when the node first boots its data folder.
        var config = $"""
            default_user = {LocalRabbitMqServerResource.UserName}
            default_pass = {await rabbit.PasswordParameter.GetValueAsync(ct)}
            loopback_users = none
            consumer_timeout = {RabbitMqSettings.ConsumerTimeoutMilliseconds}
            """;
        await File.WriteAllTextAsync(rabbit.ConfigFile, config + "\n", ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(rabbit.ConfigFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(Path.Combine(rabbit.StateFolder, "enabled_plugins"), "[].\n", ct);
    }
}
