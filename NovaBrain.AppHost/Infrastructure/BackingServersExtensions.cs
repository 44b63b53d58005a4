using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Infrastructure.Containers;
using NovaBrain.AppHost.Infrastructure.External;
using NovaBrain.AppHost.Infrastructure.Local;

namespace Aspire.Hosting;

public static class BackingServersExtensions
{
    /// <summary>
    /// Adds PostgreSQL (with the services' databases), Redis, RabbitMQ, MongoDB and Prometheus in the mode
    /// <c>NovaBrain:Infrastructure</c> asks for or, when auto, the mode the machine allows.
    /// </summary>
    public static BackingServers AddBackingServers(this IDistributedApplicationBuilder builder)
    {
        var options = InfrastructureOptions.From(builder.Configuration, builder.AppHostDirectory);
        var binaries = LocalBinaries.Locate(options.Binaries);
        var mode = InfrastructureModeSelector.Select(
            options.Mode,
            builder.ExecutionContext.IsPublishMode,
            () => HostProbes.ContainerRuntimeAnswers(builder.Configuration[InfrastructureSettings.ContainerRuntime]),
            binaries.MissingPackages);

        return mode switch
        {
            InfrastructureMode.Containers => ContainerBackingServers.Add(builder, options),
            InfrastructureMode.Local => LocalBackingServers.Add(builder, options, binaries),
            _ => ExternalBackingServers.Add(builder),
        };
    }

    /// <summary>References the server's connection string and waits until it is healthy.</summary>
    public static IResourceBuilder<T> WithBackingServer<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> server)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        builder.WithReference(server).WaitFor(server);
}
