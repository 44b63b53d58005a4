using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using NovaBrain.AppHost.Infrastructure.Local;
using NovaBrain.Tests.Auth;

namespace NovaBrain.Tests.EndToEnd;

/// <summary>
/// The whole NovaBrain system on the real AppHost in local mode: real PostgreSQL, Redis, RabbitMQ and
/// Prometheus processes and the nine services, started once per test run on first use, with its own
/// state folder and ports so it never collides with a system a developer is running.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    public static readonly string[] Services =
        ["auth", "model-registry", "model-serving", "data-processing", "training", "parameters", "monitoring", "logging"];

    public static readonly string[] Databases = ["authdb", "registrydb", "datadb", "trainingdb", "paramsdb", "monitoringdb", "logsdb"];

    public const string SecondGateway = "gateway-2";

    /// <summary>Inference calls one principal may make per window at the gateways, low so a test can reach it.</summary>
    public const int InferencePermitLimit = 5;

    public static readonly TimeSpan InferenceWindow = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task<RunningSystem>> Instance = new(StartAsync);

    private RunningSystem(DistributedApplication app, int gatewayHttpPort, int gatewayGrpcPort, string stateDirectory)
    {
        App = app;
        GatewayHttpPort = gatewayHttpPort;
        GatewayGrpcPort = gatewayGrpcPort;
        StateDirectory = stateDirectory;
    }

    public DistributedApplication App { get; }

    public int GatewayHttpPort { get; }

    public int GatewayGrpcPort { get; }

    public string StateDirectory { get; }

    public static Task<RunningSystem> GetAsync() => Instance.Value;

    public static async Task StopIfStartedAsync()
    {
        if (Instance.IsValueCreated && Instance.Value.IsCompletedSuccessfully)
        {
            await (await Instance.Value).DisposeAsync();
        }
    }

    public HttpClient CreateGatewayClient() => new() { BaseAddress = new Uri($"http://localhost:{GatewayHttpPort}") };

    /// <summary>The second gateway replica, on the port the AppHost allocated for it.</summary>
    public HttpClient CreateSecondGatewayClient() => new() { BaseAddress = App.GetEndpoint(SecondGateway, "http") };

    /// <summary>A gateway client that signs its requests with this access token.</summary>
    public HttpClient CreateGatewayClient(string accessToken) => CreateGatewayClient().WithBearer(accessToken);

    /// <summary>A secret the AppHost generated for this run (e.g. <c>admin-password</c>, <c>gateway-client-secret</c>).</summary>
    public string Secret(string name) => File.ReadAllText(Path.Combine(StateDirectory, "secrets", name)).Trim();

    public string AdminPassword => Secret("admin-password");

    /// <summary>A fresh access token of the bootstrap admin (tokens live ten minutes, longer than any one test).</summary>
    public async Task<string> AdminTokenAsync()
    {
        using var gateway = CreateGatewayClient();
        return (await Tokens.PasswordAsync(gateway, "admin", AdminPassword)).Require();
    }

    public async Task<HttpClient> CreateAdminClientAsync() => CreateGatewayClient(await AdminTokenAsync());

    public Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken) =>
        App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);

    /// <summary>
    /// Stops a service the way a crash does: its process is killed. Aspire runs a project through a
    /// <c>dotnet run</c> process whose child is the service itself, so the child is the one killed;
    /// the resource then exits and can be started again.
    /// </summary>
    public void KillService(string resource) => ServiceProcess(resource).Kill();

    /// <summary>The process of a running service: the child of the <c>dotnet run</c> process Aspire started.</summary>
    public Process ServiceProcess(string resource)
    {
        var launcherPid = LauncherProcess(resource).Id;
        return Process.GetProcesses().Single(process => ParentProcessId(process.Id) == launcherPid);
    }

    /// <summary>The <c>dotnet run</c> process Aspire started for a service; its exit is what ends the resource.</summary>
    public Process LauncherProcess(string resource)
    {
        Assert.IsTrue(App.ResourceNotifications.TryGetCurrentState(resource, out var current), $"{resource} is known");
        return Process.GetProcessById(Convert.ToInt32(current.Snapshot.Properties.Single(p => p.Name == "executable.pid").Value));
    }

    /// <summary>Asks a resource to stop; the stop command waits until it has.</summary>
    public async Task StopResourceAsync(string resource, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.IsTrue(result.Success, $"stopping {resource} failed: {result.Message}");
    }

    private static int? ParentProcessId(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async Task StartResourceAsync(string resource, CancellationToken cancellationToken)
    {
        using (var stopped = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            stopped.CancelAfter(TimeSpan.FromMinutes(3));
            await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, stopped.Token);
        }
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.IsTrue(result.Success, $"starting {resource} failed: {result.Message}");
        await WaitUntilHealthyAsync(resource, cancellationToken);
    }

    private static async Task<RunningSystem> StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var stateDirectory = Directory.CreateTempSubdirectory("novabrain-tests-").FullName;
        var httpPort = FreeTcpPort();
        var grpcPort = FreeTcpPort(except: httpPort);

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.NovaBrain_AppHost>(
            [
                "NovaBrain:Infrastructure=local",
                $"NovaBrain:StateDirectory={stateDirectory}",
                $"NovaBrain:Gateway:HttpPort={httpPort}",
                $"NovaBrain:Gateway:GrpcPort={grpcPort}",
                "NovaBrain:Gateway:Replicas=2",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        foreach (var gateway in builder.Resources.OfType<ProjectResource>().Where(resource => resource.Name.StartsWith("gateway", StringComparison.Ordinal)))
        {
            // Management and anonymous limits out of the tests' way; the inference limit low enough to reach.
            builder.CreateResourceBuilder(gateway)
                .WithEnvironment("Gateway__RateLimits__Management__PermitLimit", "100000")
                .WithEnvironment("Gateway__RateLimits__Anonymous__PermitLimit", "100000")
                .WithEnvironment("Gateway__RateLimits__Inference__PermitLimit", InferencePermitLimit.ToString(CultureInfo.InvariantCulture))
                .WithEnvironment("Gateway__RateLimits__Inference__WindowSeconds", InferenceWindow.TotalSeconds.ToString(CultureInfo.InvariantCulture));
        }

        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "parameters")).WithEnvironment("Parameters__Uploads__AbandonedAfter", "00:00:30");
        AddUpstreamIdentityProvider(builder, httpPort);

        var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        var system = new RunningSystem(app, httpPort, grpcPort, stateDirectory);
        // The services and the servers they connect to; Aspire's own helper resources never start.
        var running = builder.Resources.Where(resource => resource is ProjectResource or IResourceWithConnectionString and not ParameterResource);
        await Task.WhenAll(running.Select(resource => system.WaitUntilHealthyAsync(resource.Name, timeout.Token)));
        return system;
    }

    /// <summary>
    /// A second auth service with its own database, at <c>http://127.0.0.1:{port}/</c> (another host than the gateway's
    /// localhost, so a browser keeps their cookies apart), configured as the external OpenID Connect provider
    /// <c>upstream</c> of the platform's auth service: the real provider the social-login test signs in with.
    /// </summary>
    private static void AddUpstreamIdentityProvider(IDistributedApplicationTestingBuilder builder, int gatewayHttpPort)
    {
        var postgres = builder.CreateResourceBuilder(builder.Resources.OfType<LocalPostgresServerResource>().Single());
        var upstream = builder.AddService<Projects.NovaBrain_Auth>(UpstreamProvider)
            .WithReference(postgres.AddDatabase(UpstreamDatabase), connectionName: "authdb")
            .WithReference(builder.CreateResourceBuilder(builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "eventbus")))
            .WithReference(builder.CreateResourceBuilder(builder.Resources.OfType<IResourceWithConnectionString>().Single(r => r.Name == "redis")));
        var endpoint = upstream.GetEndpoint("http");
        var issuer = ReferenceExpression.Create($"http://127.0.0.1:{endpoint.Property(EndpointProperty.Port)}/");
        upstream
            .WithEnvironment("Identity__Issuer", issuer)
            .WithEnvironment("Auth__Bootstrap__AdminPassword", UpstreamAdminPassword)
            .WithEnvironment("Auth__Cli__RedirectUris__0", FormattableString.Invariant($"http://localhost:{gatewayHttpPort}/callback/login/upstream"));
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "auth"))
            .WithEnvironment("Auth__ExternalProviders__upstream__Issuer", issuer)
            .WithEnvironment("Auth__ExternalProviders__upstream__ClientId", "novabrain-cli")
            .WithEnvironment("Auth__ExternalProviders__upstream__DisplayName", "Upstream")
            .WaitFor(upstream);
    }

    public const string UpstreamProvider = "auth-upstream";
    public const string UpstreamDatabase = "authupstreamdb";
    public const string UpstreamAdminPassword = "Upstream-Admin-Passw0rd";

    public Uri UpstreamAddress => new(App.GetEndpoint(UpstreamProvider, "http").ToString().Replace("localhost", "127.0.0.1", StringComparison.Ordinal));

    /// <summary>
    /// A free port below the ephemeral range (Linux: 32768 and up). The gateway's ports are fixed before Aspire starts,
    /// and Aspire takes its proxies' ports from the ephemeral range, so a port from there could be handed out twice.
    /// </summary>
    private static int FreeTcpPort(int? except = null)
    {
        while (true)
        {
            var port = Random.Shared.Next(20000, 32768);
            if (port == except)
            {
                continue;
            }
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        Directory.Delete(StateDirectory, recursive: true);
    }
}

[TestClass]
public static class RunningSystemLifetime
{
    [AssemblyCleanup]
    public static Task StopSystemAsync() => RunningSystem.StopIfStartedAsync();
}
