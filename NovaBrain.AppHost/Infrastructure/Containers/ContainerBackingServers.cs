using NovaBrain.AppHost.Infrastructure.Local;

namespace NovaBrain.AppHost.Infrastructure.Containers;

/// <summary>The backing servers as containers: Aspire's integrations plus our MongoDB and Prometheus containers.</summary>
public static class ContainerBackingServers
{
    public static BackingServers Add(IDistributedApplicationBuilder builder, InfrastructureOptions options)
    {
        var postgres = builder.AddPostgres(ConnectionNames.Postgres).WithDataVolume();
        var databases = ConnectionNames.Databases.ToDictionary(
            name => name, IResourceBuilder<IResourceWithConnectionString> (name) => postgres.AddDatabase(name));

        return new BackingServers(
            InfrastructureMode.Containers,
            databases,
            builder.AddRedis(ConnectionNames.Redis).WithDataVolume(),
            builder.AddRabbitMQ(ConnectionNames.EventBus).WithDataVolume()
                .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", $"-rabbit consumer_timeout {RabbitMqSettings.ConsumerTimeoutMilliseconds}"),
            builder.AddMongoDbContainer(ConnectionNames.Mongo),
            builder.AddPrometheusContainer(ConnectionNames.Prometheus, new LocalState(options.StateDirectory).Folder("prometheus-container")));
    }
}
