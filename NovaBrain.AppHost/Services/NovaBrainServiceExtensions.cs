using Microsoft.Extensions.Configuration;
using NovaBrain.AppHost.Infrastructure;

namespace Aspire.Hosting;

public static class NovaBrainServiceExtensions
{
    public const string HttpEndpointName = "http";
    public const string GrpcEndpointName = "grpc";
    public const string ReadinessPath = "/health/ready";
    public const int DefaultGatewayHttpPort = 8080;
    public const int DefaultGatewayGrpcPort = 8081;

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
    /// Adds the gateway on fixed, unproxied ports (<c>NovaBrain:Gateway:HttpPort</c>/<c>GrpcPort</c>, default 8080/8081)
    /// so clients and KServe tools reach it at a known address; gRPC needs its own HTTP/2-only endpoint because
    /// Kestrel does not answer HTTP/2 prior knowledge on an HTTP/1.1+2 cleartext endpoint.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddGateway<TProject>(this IDistributedApplicationBuilder builder, string name)
        where TProject : IProjectMetadata, new()
    {
        var httpPort = builder.Configuration.GetValue(InfrastructureSettings.GatewayHttpPort, DefaultGatewayHttpPort);
        var grpcPort = builder.Configuration.GetValue(InfrastructureSettings.GatewayGrpcPort, DefaultGatewayGrpcPort);
        return builder.AddProject<TProject>(name, options =>
            {
                options.ExcludeLaunchProfile = true;
                options.ExcludeKestrelEndpoints = true;
            })
            .WithHttpEndpoint(port: httpPort, name: HttpEndpointName, isProxied: false)
            .WithEndpoint(port: grpcPort, scheme: "http", name: GrpcEndpointName, isProxied: false)
            .WithEnvironment($"Kestrel__Endpoints__{HttpEndpointName}__Url", FormattableString.Invariant($"http://localhost:{httpPort}"))
            .WithEnvironment($"Kestrel__Endpoints__{GrpcEndpointName}__Url", FormattableString.Invariant($"http://localhost:{grpcPort}"))
            .WithHttpHealthCheck(ReadinessPath, endpointName: HttpEndpointName);
    }
}
