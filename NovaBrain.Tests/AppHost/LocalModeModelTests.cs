using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Infrastructure.Local;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class LocalModeModelTests
{
    [TestMethod]
    public async Task Local_AddsPostgresAsExecutableOnLoopbackWithDatabases()
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        var postgres = builder.Single<LocalPostgresServerResource>(ConnectionNames.Postgres);
        Assert.IsInstanceOfType<ExecutableResource>(postgres);
        var endpoint = postgres.Annotations.OfType<EndpointAnnotation>().Single();
        Assert.IsFalse(endpoint.IsProxied);
        Assert.AreEqual("127.0.0.1", endpoint.TargetHost);
        Assert.AreEqual(endpoint.Port, endpoint.TargetPort);
        Assert.AreEqual(
            "Host={postgres.bindings.tcp.host};Port={postgres.bindings.tcp.port};Username=postgres;Password={postgres-password.value}",
            postgres.ConnectionStringExpression.ValueExpression);
        Assert.IsTrue(postgres.Annotations.OfType<HealthCheckAnnotation>().Any());

        foreach (var name in ConnectionNames.Databases)
        {
            var database = builder.Single<LocalPostgresDatabaseResource>(name);
            Assert.AreSame(postgres, database.Parent);
            Assert.AreEqual($"{{postgres.connectionString}};Database={name}", database.ConnectionStringExpression.ValueExpression);
            Assert.IsTrue(database.Annotations.OfType<HealthCheckAnnotation>().Any());
        }
    }

    [TestMethod]
    public async Task Local_RunsPostgresAsNonRootUserWhenRoot()
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        var postgres = builder.Single<LocalPostgresServerResource>(ConnectionNames.Postgres);
        var args = await ArgumentValuesAsync(postgres);

        if (Environment.IsPrivilegedProcess)
        {
            Assert.AreEqual("/usr/bin/setpriv", postgres.Command);
            CollectionAssert.IsSubsetOf(new[] { "--reuid=postgres", "--regid=postgres", "--init-groups" }, args);
        }
        else
        {
            Assert.AreEqual(postgres.Binaries.Postgres, postgres.Command);
        }

        CollectionAssert.IsSubsetOf(new[] { "listen_addresses=127.0.0.1", "unix_socket_directories=" }, args);
    }

    [TestMethod]
    public async Task Local_AddsRedisRabbitMqAndPrometheusAsExecutablesAndNoMongo()
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        var redis = builder.Single<LocalRedisResource>(ConnectionNames.Redis);
        Assert.AreEqual("{redis.bindings.tcp.host}:{redis.bindings.tcp.port},password={redis-password.value}", redis.ConnectionStringExpression.ValueExpression);

        var rabbit = builder.Single<LocalRabbitMqServerResource>(ConnectionNames.EventBus);
        Assert.AreEqual("amqp://novabrain:{eventbus-password.value}@{eventbus.bindings.tcp.host}:{eventbus.bindings.tcp.port}", rabbit.ConnectionStringExpression.ValueExpression);
        CollectionAssert.Contains(rabbit.WaitsFor().ToList(), "eventbus-epmd");
        var env = await rabbit.EnvironmentAsync();
        foreach (var name in new[] { "RABBITMQ_NODENAME", "RABBITMQ_NODE_PORT", "RABBITMQ_DIST_PORT", "ERL_EPMD_PORT", "RABBITMQ_MNESIA_BASE", "RABBITMQ_CONFIG_FILE", "HOME" })
        {
            Assert.IsTrue(env.ContainsKey(name), name);
        }

        var prometheus = builder.Single<LocalPrometheusResource>(ConnectionNames.Prometheus);
        Assert.AreEqual("{prometheus.bindings.http.url}", prometheus.ConnectionStringExpression.ValueExpression);
        Assert.IsFalse(builder.Resources.Any(resource => resource.Name == ConnectionNames.Mongo));
        Assert.IsFalse(builder.Resources.OfType<ContainerResource>().Any());
    }

    [TestMethod]
    public async Task Local_WithMissingBinary_FailsNamingThePackage()
    {
        var error = await Assert.ThrowsAsync<InfrastructureConfigurationException>(() =>
            AppHostModel.BuildAsync([.. FakeServerBinaries.Settings(), "NovaBrain:Local:RedisServer=/nonexistent/redis-server"]));

        StringAssert.Contains(error.Message, "apt-get install redis-server");
    }

    private static async Task<List<string>> ArgumentValuesAsync(IResource resource)
    {
        var context = new CommandLineArgsCallbackContext([]);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return [.. context.Args.OfType<string>()];
    }
}
