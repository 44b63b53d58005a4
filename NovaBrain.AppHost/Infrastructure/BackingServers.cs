namespace NovaBrain.AppHost.Infrastructure;

/// <summary>
/// The backing servers of one AppHost run, whichever <see cref="InfrastructureMode"/> provides them.
/// Every entry is a connection-string resource whose name is the connection name services use.
/// </summary>
public sealed record BackingServers(
    InfrastructureMode Mode,
    IReadOnlyDictionary<string, IResourceBuilder<IResourceWithConnectionString>> Databases,
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> EventBus,
    IResourceBuilder<IResourceWithConnectionString>? Mongo,
    IResourceBuilder<IResourceWithConnectionString> Prometheus)
{
    /// <summary>The database with this connection name, e.g. <c>registrydb</c>.</summary>
    public IResourceBuilder<IResourceWithConnectionString> Database(string name) =>
        Databases.TryGetValue(name, out var database)
            ? database
            : throw new ArgumentException($"No database '{name}'. Databases: {string.Join(", ", Databases.Keys)}.", nameof(name));
}
