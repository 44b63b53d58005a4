using NovaBrain.AppHost.Infrastructure;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class ServicesModelTests
{
    private static readonly Dictionary<string, string[]> ServiceServers = new()
    {
        ["auth"] = [ConnectionNames.AuthDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["model-registry"] = [ConnectionNames.RegistryDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["model-serving"] = [ConnectionNames.EventBus, ConnectionNames.Redis],
        ["data-processing"] = [ConnectionNames.DataDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["training"] = [ConnectionNames.TrainingDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["parameters"] = [ConnectionNames.ParamsDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["monitoring"] = [ConnectionNames.MonitoringDb, ConnectionNames.EventBus, ConnectionNames.Redis],
        ["logging"] = [ConnectionNames.LogsDb, ConnectionNames.EventBus, ConnectionNames.Redis],
    };

    [TestMethod]
    public async Task Services_ReferenceAndWaitForTheirServers()
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        foreach (var (name, servers) in ServiceServers)
        {
            var service = builder.Single<ProjectResource>(name);
            var env = await service.EnvironmentAsync();
            // Waiting for a database also waits for its server.
            string[] expectedWaits = servers.Any(ConnectionNames.Databases.Contains) ? [ConnectionNames.Postgres, .. servers] : servers;
            CollectionAssert.AreEquivalent(expectedWaits, service.WaitsFor().ToList(), name);
            foreach (var server in servers)
            {
                Assert.IsTrue(env.ContainsKey($"ConnectionStrings__{server}"), $"{name} lacks {server}");
            }

            Assert.AreEqual(name, env["EventBus__SubscriptionQueueName"]);
            var http = service.Annotations.OfType<EndpointAnnotation>().Single();
            Assert.AreEqual("http", http.Name);
            Assert.IsNull(http.Port);
        }
    }

    [TestMethod]
    public async Task Parameters_KeepsItsBlobStoreInTheStateFolder()
    {
        var state = Path.Combine(Path.GetTempPath(), "novabrain-tests", Guid.NewGuid().ToString("N"));
        await using var builder = await AppHostModel.BuildInStateAsync(state, FakeServerBinaries.Settings());

        var env = await builder.Single<ProjectResource>("parameters").EnvironmentAsync();
        Assert.AreEqual(Path.Combine(state, "blobs"), env["Parameters__Storage__Root"]);
    }

    [TestMethod]
    public async Task Gateway_ListensOnConfiguredPortsAndWaitsOnlyForRedis()
    {
        await using var builder = await AppHostModel.BuildAsync(
            [.. FakeServerBinaries.Settings(), "NovaBrain:Gateway:HttpPort=18080", "NovaBrain:Gateway:GrpcPort=18081"]);

        var gateway = builder.Single<ProjectResource>("gateway");
        var endpoints = gateway.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name);
        Assert.AreEqual(18080, endpoints["http"].Port);
        Assert.AreEqual(18081, endpoints["grpc"].Port);
        Assert.IsFalse(endpoints["http"].IsProxied);
        Assert.IsFalse(endpoints["grpc"].IsProxied);
        CollectionAssert.AreEqual(new[] { ConnectionNames.Redis }, gateway.WaitsFor().ToList());

        var env = await gateway.EnvironmentAsync();
        Assert.AreEqual("http://localhost:18080", env["Kestrel__Endpoints__http__Url"]);
        Assert.AreEqual("http://localhost:18081", env["Kestrel__Endpoints__grpc__Url"]);
        Assert.IsFalse(env.ContainsKey("EventBus__SubscriptionQueueName"));
        foreach (var service in ServiceServers.Keys)
        {
            Assert.IsTrue(env.ContainsKey($"services__{service}__http__0"), service);
        }
    }
}
