using NovaBrain.AppHost.Infrastructure.Prometheus;

namespace NovaBrain.AppHost.Infrastructure.Containers;

/// <summary>Prometheus from the official image; its connection string is its base URL.</summary>
public sealed class PrometheusContainerResource(string name) : ContainerResource(name), IResourceWithConnectionString
{
    public const string Image = "prom/prometheus";
    public const string Tag = "v3.5.0";
    public const string Registry = "docker.io";
    public const string ConfigFolder = "/etc/novabrain";
    public const int TargetPort = 9090;

    public EndpointReference PrimaryEndpoint => new(this, "http");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}

public static class PrometheusContainerBuilderExtensions
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Adds Prometheus scraping every project resource through the host (services run on the host, not in containers).</summary>
    public static IResourceBuilder<PrometheusContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, string name, string configFolder)
    {
        var targets = new ScrapeTargets(
            configFolder, $"{PrometheusContainerResource.ConfigFolder}/{ScrapeTargets.TargetsFileName}", endpoint => $"host.docker.internal:{endpoint.Port}");
        targets.Track(builder);
        var prometheus = new PrometheusContainerResource(name);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus, (_, _) =>
        {
            targets.WriteConfiguration();
            return Task.CompletedTask;
        });

        return builder.AddResource(prometheus)
            .WithImage(PrometheusContainerResource.Image, PrometheusContainerResource.Tag)
            .WithImageRegistry(PrometheusContainerResource.Registry)
            .WithHttpEndpoint(targetPort: PrometheusContainerResource.TargetPort, name: "http")
            .WithBindMount(configFolder, PrometheusContainerResource.ConfigFolder, isReadOnly: true)
            .WithVolume($"{name}-data", "/prometheus")
            .WithArgs($"--config.file={PrometheusContainerResource.ConfigFolder}/{ScrapeTargets.ConfigFileName}", "--storage.tsdb.path=/prometheus")
            .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
            .WithServerHealthCheck(async (resource, ct) =>
            {
                using var response = await Http.GetAsync($"{resource.PrimaryEndpoint.Url}/-/ready", ct);
                response.EnsureSuccessStatusCode();
            });
    }
}
