namespace Aspire.Hosting;

public static class NovaBrainServiceExtensions
{
    public const string HttpEndpointName = "http";
    public const string GrpcEndpointName = "grpc";
    public const string ReadinessPath = "/health/ready";

    /// <summary>
    /// Adds a NovaBrain service: an <c>http</c> endpoint on a port Aspire allocates (the projects have no launch
    /// profiles), readiness from <c>/health/ready</c> and its own event-bus queue named after the resource.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, options => options.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(name: HttpEndpointName)
            .WithHttpHealthCheck(ReadinessPath, endpointName: HttpEndpointName)
            .WithEnvironment("EventBus__SubscriptionQueueName", name);

    /// <summary>
    /// Adds a gateway replica on unproxied ports, fixed ones so clients and KServe tools reach the first replica at a
    /// known address, or allocated ones (null). gRPC needs its own HTTP/2-only endpoint because Kestrel does not
    /// answer HTTP/2 prior knowledge on an HTTP/1.1+2 cleartext endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddGateway<TProject>(
        this IDistributedApplicationBuilder builder, string name, (int? Http, int? Grpc) ports)
        where TProject : IProjectMetadata, new()
    {
        var gateway = builder.AddProject<TProject>(name, options =>
            {
                options.ExcludeLaunchProfile = true;
                options.ExcludeKestrelEndpoints = true;
            })
            .WithHttpEndpoint(port: ports.Http, name: HttpEndpointName, isProxied: false)
            .WithEndpoint(port: ports.Grpc, scheme: "http", name: GrpcEndpointName, isProxied: false)
            .WithHttpHealthCheck(ReadinessPath, endpointName: HttpEndpointName);
        return gateway
            .WithKestrelEndpoint(HttpEndpointName, ports.Http)
            .WithKestrelEndpoint(GrpcEndpointName, ports.Grpc);
    }

    /// <summary>
    /// Gives a service that answers gRPC a second endpoint, <c>grpc</c>, that speaks HTTP/2 only, for cleartext clients
    /// that start with HTTP/2 (prior knowledge) as gRPC clients and the gateway do. Both endpoints become Kestrel
    /// endpoints from configuration, since URLs alone cannot say which protocols each one speaks.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcEndpoint(this IResourceBuilder<ProjectResource> service) =>
        service.WithEndpoint(name: GrpcEndpointName, scheme: "http")
            .WithKestrelEndpoint(HttpEndpointName, port: null)
            .WithKestrelEndpoint(GrpcEndpointName, port: null)
            .WithEnvironment($"Kestrel__Endpoints__{GrpcEndpointName}__Protocols", "Http2");

    private static IResourceBuilder<ProjectResource> WithKestrelEndpoint(
        this IResourceBuilder<ProjectResource> project, string endpointName, int? port)
    {
        var variable = $"Kestrel__Endpoints__{endpointName}__Url";
        // Published, a service listens on every interface of its container; run locally, on loopback only.
        var host = project.ApplicationBuilder.ExecutionContext.IsPublishMode ? "+" : "localhost";
        if (port is { } fixedPort)
        {
            return project.WithEnvironment(variable, FormattableString.Invariant($"http://{host}:{fixedPort}"));
        }

        var endpoint = project.GetEndpoint(endpointName);
        return project.WithEnvironment(variable, ReferenceExpression.Create($"http://{host}:{endpoint.Property(EndpointProperty.TargetPort)}"));
    }
}
