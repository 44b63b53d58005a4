using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;

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

    public Task WaitUntilHealthyAsync(string resource, CancellationToken cancellationToken) =>
        App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);

    public async Task ExecuteCommandAsync(string resource, string command, CancellationToken cancellationToken)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.IsTrue(result.Success, $"{command} on {resource} failed: {result.Message}");
    }

    private static async Task<RunningSystem> StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var stateDirectory = Directory.CreateTempSubdirectory("novabrain-tests-").FullName;
        var (httpPort, grpcPort) = (FreeTcpPort(), FreeTcpPort());

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.NovaBrain_AppHost>(
            [
                "NovaBrain:Infrastructure=local",
                $"NovaBrain:StateDirectory={stateDirectory}",
                $"NovaBrain:Gateway:HttpPort={httpPort}",
                $"NovaBrain:Gateway:GrpcPort={grpcPort}",
            ],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        var system = new RunningSystem(app, httpPort, grpcPort, stateDirectory);
        foreach (var resource in builder.Resources.Where(r => r is not ParameterResource))
        {
            await system.WaitUntilHealthyAsync(resource.Name, timeout.Token);
        }
        return system;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
