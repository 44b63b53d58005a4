using Aspire.Hosting.Postgres;
using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Infrastructure.Containers;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class ContainersAndExternalModelTests
{
    [TestMethod]
    public async Task Containers_UsesAspireIntegrationsAndPinnedImages()
    {
        await using var builder = await AppHostModel.BuildAsync("NovaBrain:Infrastructure=containers");

        builder.Single<PostgresServerResource>(ConnectionNames.Postgres);
        foreach (var name in ConnectionNames.Databases)
        {
            builder.Single<PostgresDatabaseResource>(name);
        }

        builder.Single<RedisResource>(ConnectionNames.Redis);
        builder.Single<RabbitMQServerResource>(ConnectionNames.EventBus);

        var mongo = builder.Single<MongoDbContainerResource>(ConnectionNames.Mongo);
        var mongoImage = mongo.Annotations.OfType<ContainerImageAnnotation>().Single();
        Assert.AreEqual("library/mongo", mongoImage.Image);
        Assert.AreEqual(MongoDbContainerResource.Tag, mongoImage.Tag);
        StringAssert.StartsWith(mongo.ConnectionStringExpression.ValueExpression, "mongodb://admin:{mongo-password.value}@");

        var prometheus = builder.Single<PrometheusContainerResource>(ConnectionNames.Prometheus);
        Assert.AreEqual("prom/prometheus", prometheus.Annotations.OfType<ContainerImageAnnotation>().Single().Image);

        CollectionAssert.Contains(builder.Single<ProjectResource>("logging").WaitsFor().ToList(), ConnectionNames.Mongo);
        Assert.IsFalse(builder.Resources.OfType<ExecutableResource>().Any(IsBackingServer));
    }

    [TestMethod]
    public async Task External_WithMissingConnectionStrings_ListsEveryMissingName()
    {
        var error = await Assert.ThrowsAsync<InfrastructureConfigurationException>(() =>
            AppHostModel.BuildAsync("NovaBrain:Infrastructure=external", "ConnectionStrings:authdb=Host=db"));

        foreach (var name in new[] { "registrydb", "logsdb", "redis", "eventbus", "prometheus" })
        {
            StringAssert.Contains(error.Message, $"ConnectionStrings:{name}");
        }

        Assert.IsFalse(error.Message.Contains("ConnectionStrings:authdb", StringComparison.Ordinal));
        Assert.IsFalse(error.Message.Contains("ConnectionStrings:mongo", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task External_WithAllConnectionStrings_StartsNoServers()
    {
        string[] names = [.. ConnectionNames.Databases, ConnectionNames.Redis, ConnectionNames.EventBus, ConnectionNames.Prometheus];
        await using var builder = await AppHostModel.BuildAsync(
            ["NovaBrain:Infrastructure=external", .. names.Select(name => $"ConnectionStrings:{name}=x")]);

        Assert.IsFalse(builder.Resources.OfType<ExecutableResource>().Any(IsBackingServer));
        Assert.IsFalse(builder.Resources.OfType<ContainerResource>().Any());
        Assert.IsFalse(builder.Resources.Any(resource => resource.Name == ConnectionNames.Mongo));
    }

    [TestMethod]
    public async Task UnknownMode_FailsListingValidModes()
    {
        var error = await Assert.ThrowsAsync<InfrastructureConfigurationException>(() =>
            AppHostModel.BuildAsync("NovaBrain:Infrastructure=vms"));

        StringAssert.Contains(error.Message, "auto, containers, local, external");
    }

    private static bool IsBackingServer(IResource resource) =>
        resource.Name is ConnectionNames.Postgres or ConnectionNames.Redis or ConnectionNames.EventBus or ConnectionNames.Prometheus or "eventbus-epmd";
}
