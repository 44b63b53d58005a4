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
            var http = service.Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "http");
            Assert.IsNull(http.Port);
        }
    }

    [TestMethod]
    [DataRow("model-registry")]
    [DataRow("model-serving")]
    [DataRow("parameters")]
    [DataRow("training")]
    public async Task GrpcServices_HaveAnHttp2OnlyEndpointBesideTheirHttpOne(string name)
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        var service = builder.Single<ProjectResource>(name);
        var env = await service.EnvironmentAsync();
        CollectionAssert.AreEquivalent(new[] { "http", "grpc" }, service.Annotations.OfType<EndpointAnnotation>().Select(e => e.Name).ToList());
        // The URLs hold each endpoint's allocated port, an expression until the run allocates it.
        string Url(string endpoint) => ((ReferenceExpression)env[$"Kestrel__Endpoints__{endpoint}__Url"]).ValueExpression;
        StringAssert.StartsWith(Url("http"), "http://localhost:{" + name + ".bindings.http.targetPort}");
        StringAssert.StartsWith(Url("grpc"), "http://localhost:{" + name + ".bindings.grpc.targetPort}");
        Assert.AreEqual("Http2", env["Kestrel__Endpoints__grpc__Protocols"]);
        Assert.IsFalse(env.ContainsKey("Kestrel__Endpoints__http__Protocols"), "the http endpoint keeps HTTP/1.1 and HTTP/2");
    }

    [TestMethod]
    public async Task BlobStoreAndModelCache_AreKeptInTheStateFolder()
    {
        var state = Path.Combine(Path.GetTempPath(), "novabrain-tests", Guid.NewGuid().ToString("N"));
        await using var builder = await AppHostModel.BuildInStateAsync(state, FakeServerBinaries.Settings());

        var parameters = await builder.Single<ProjectResource>("parameters").EnvironmentAsync();
        Assert.AreEqual(Path.Combine(state, "blobs"), parameters["Parameters__Storage__Root"]);
        var serving = await builder.Single<ProjectResource>("model-serving").EnvironmentAsync();
        Assert.AreEqual(Path.Combine(state, "model-cache"), serving["ModelServing__Cache__Root"]);
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
