using NovaBrain.AppHost.Infrastructure.Prometheus;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>Prometheus run from the installed binary; its connection string is its base URL.</summary>
public sealed class LocalPrometheusResource(string name, string command, string workingDirectory)
    : LocalServerResource(name, command, workingDirectory, HttpEndpointName)
{
    public const string HttpEndpointName = "http";

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}

public static class LocalPrometheusBuilderExtensions
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Adds Prometheus scraping every project resource of the model.</summary>
    public static IResourceBuilder<LocalPrometheusResource> AddLocalPrometheus(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalState state)
    {
        var folder = state.Folder(name);
        var targets = new ScrapeTargets(folder, Path.Combine(folder, ScrapeTargets.TargetsFileName), endpoint => $"{endpoint.Address}:{endpoint.Port}");
        targets.Track(builder);
        var prometheus = new LocalPrometheusResource(name, binaries.Prometheus, folder);
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus, (_, _) =>
        {
            targets.WriteConfiguration();
            return Task.CompletedTask;
        });

        return builder.AddResource(prometheus)
            .WithLoopbackEndpoint(LocalPrometheusResource.HttpEndpointName, scheme: "http")
            .WithArgs(context =>
            {
                context.Args.Add($"--config.file={targets.ConfigFile}");
                context.Args.Add($"--storage.tsdb.path={Path.Combine(folder, "data")}");
                context.Args.Add(ReferenceExpression.Create(
                    $"--web.listen-address=127.0.0.1:{prometheus.PrimaryEndpoint.Property(EndpointProperty.TargetPort)}"));
            })
            .WithServerHealthCheck(async (resource, ct) =>
            {
                using var response = await Http.GetAsync($"{resource.PrimaryEndpoint.Url}/-/ready", ct);
                response.EnsureSuccessStatusCode();
            });
    }
}
