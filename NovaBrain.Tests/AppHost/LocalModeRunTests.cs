using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Infrastructure.Local;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class LocalModeRunTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("LocalRun")]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task Local_AllResourcesBecomeHealthyAndEventBusSurvivesRestart()
    {
        if (LocalBinaries.Locate(LocalBinaryOverrides.None).MissingPackages().Count > 0)
        {
            Assert.Inconclusive("The server packages are not installed here.");
        }

        var state = Path.Combine(Path.GetTempPath(), "novabrain-tests", "run-" + Guid.NewGuid().ToString("N"));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.NovaBrain_AppHost>(
            ["NovaBrain:Infrastructure=local", $"NovaBrain:StateDirectory={state}", "NovaBrain:Gateway:HttpPort=18080", "NovaBrain:Gateway:GrpcPort=18081"],
            TestContext.CancellationToken);
        await using var app = await builder.BuildAsync(TestContext.CancellationToken);
        var clock = Stopwatch.StartNew();
        await app.StartAsync(TestContext.CancellationToken);

        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        var names = builder.Resources
            .Where(resource => resource is IResourceWithConnectionString and not ParameterResource || resource is ProjectResource || resource is LocalEpmdResource)
            .Select(resource => resource.Name)
            .ToList();
        await Task.WhenAll(names.Select(name => notifications.WaitForResourceHealthyAsync(name, TestContext.CancellationToken)));
        TestContext.WriteLine($"All {names.Count} resources healthy {clock.Elapsed.TotalSeconds:F1}s after start.");

        var commands = app.Services.GetRequiredService<ResourceCommandService>();
        var restart = await commands.ExecuteCommandAsync(ConnectionNames.EventBus, KnownResourceCommands.RestartCommand, TestContext.CancellationToken);
        Assert.IsTrue(restart.Success, restart.Message);
        await notifications.WaitForResourceHealthyAsync(ConnectionNames.EventBus, TestContext.CancellationToken);
    }
}
