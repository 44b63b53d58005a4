using System.Net;
using System.Text.Json;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Serving;

/// <summary>Deployments kept across a restart of model serving: their specs are stored in Redis and deployed again at start-up.</summary>
[TestClass]
public sealed class DeploymentRestartTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DoNotParallelize]
    public async Task Deployments_SurviveARestartOfModelServing_WithTheirSettings_ButDeletedOnesStayDeleted()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, files) = await gateway.RegisterMlpAsync(1);
        var (kept, deleted) = (Auth.Accounts.Unique("kept"), Auth.Accounts.Unique("deleted"));
        await gateway.DeployAsync(kept, $"models:/{model}/1", new { instances = 2, batching = new { maxBatchSize = 8 }, sampling = new { rate = 0.5 } });
        await gateway.DeployAsync(deleted, $"models:/{model}/1");
        await gateway.WaitForStateAsync(kept, "Ready");
        await gateway.WaitForStateAsync(deleted, "Ready");
        using (var removed = await gateway.DeleteAsync($"{ServingClient.Deployments}/{deleted}", TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.NoContent, removed.StatusCode);
        }

        system.KillService("model-serving");
        // Bounded: a service that does not come back fails the test rather than holding up the run.
        using (var restart = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken))
        {
            restart.CancelAfter(TimeSpan.FromMinutes(4));
            await system.StartResourceAsync("model-serving", restart.Token);
        }

        var restored = await gateway.WaitForStateAsync(kept, "Ready");
        Assert.AreEqual((model, 1, 2), (restored.Serving!.Model, restored.Serving.Version, restored.Instances));
        var settings = JsonDocument.Parse(await gateway.GetStringAsync($"{ServingClient.Deployments}/{kept}", TestContext.CancellationToken)).RootElement;
        Assert.AreEqual(8, settings.GetProperty("batching").GetProperty("maxBatchSize").GetInt32());
        Assert.AreEqual(0.5, settings.GetProperty("sampling").GetProperty("rate").GetDouble());
        var rows = ServingModels.RandomRows(1, seed: 41);
        using var inference = await serving.InferJsonAsync(kept, rows);
        ServingModels.AssertClose(ServingModels.RunDirectly(files[0], rows), await inference.OutputOfAsync(), "inference after the restart");
        using var gone = await gateway.GetAsync($"{ServingClient.Deployments}/{deleted}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
