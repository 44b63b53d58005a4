using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>The backing servers as processes of the installed binaries, state under the state folder.</summary>
public static class LocalBackingServers
{
    public static BackingServers Add(IDistributedApplicationBuilder builder, InfrastructureOptions options, LocalBinaries binaries)
    {
        var state = new LocalState(options.StateDirectory);
        var postgres = builder.AddLocalPostgres(ConnectionNames.Postgres, binaries, state);
        var databases = ConnectionNames.Databases.ToDictionary(
            name => name, IResourceBuilder<IResourceWithConnectionString> (name) => postgres.AddDatabase(name));

        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var logger = @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LocalBackingServers).FullName!);
            logger.LogInformation("Infrastructure: local processes, state in {StateDirectory}", state.Root);
            if (!postgres.Resource.DataRoot.StartsWith(state.Root, StringComparison.Ordinal))
            {
                logger.LogInformation(
                    "PostgreSQL: the postgres user cannot reach {StateDirectory}, so its data lives in {DataRoot}",
                    state.Root, postgres.Resource.DataRoot);
            }

            logger.LogInformation("MongoDB: no server in local mode; the logging service keeps logs in PostgreSQL ({Database})", ConnectionNames.LogsDb);
            return Task.CompletedTask;
        });

        return new BackingServers(
            InfrastructureMode.Local,
            databases,
            builder.AddLocalRedis(ConnectionNames.Redis, binaries, state),
            builder.AddLocalRabbitMq(ConnectionNames.EventBus, binaries, state),
            Mongo: null,
            builder.AddLocalPrometheus(ConnectionNames.Prometheus, binaries, state));
    }
}
