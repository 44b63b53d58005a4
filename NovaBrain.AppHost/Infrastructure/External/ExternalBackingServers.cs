using Microsoft.Extensions.Configuration;

namespace NovaBrain.AppHost.Infrastructure.External;

/// <summary>Servers that already run elsewhere, given as <c>ConnectionStrings:&lt;name&gt;</c>; MongoDB is optional.</summary>
public static class ExternalBackingServers
{
    public static IReadOnlyList<string> RequiredNames { get; } =
        [.. ConnectionNames.Databases, ConnectionNames.Redis, ConnectionNames.EventBus, ConnectionNames.Prometheus];

    public static BackingServers Add(IDistributedApplicationBuilder builder)
    {
        var missing = RequiredNames.Where(name => string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name))).ToList();
        if (missing.Count > 0)
        {
            throw new InfrastructureConfigurationException(
                $"{InfrastructureSettings.Mode}=external needs a connection string for every backing server; missing: " +
                $"{string.Join(", ", missing.Select(name => $"ConnectionStrings:{name}"))}.");
        }

        var hasMongo = !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionNames.Mongo));
        return new BackingServers(
            InfrastructureMode.External,
            ConnectionNames.Databases.ToDictionary(name => name, name => builder.AddConnectionString(name)),
            builder.AddConnectionString(ConnectionNames.Redis),
            builder.AddConnectionString(ConnectionNames.EventBus),
            hasMongo ? builder.AddConnectionString(ConnectionNames.Mongo) : null,
            builder.AddConnectionString(ConnectionNames.Prometheus));
    }
}
