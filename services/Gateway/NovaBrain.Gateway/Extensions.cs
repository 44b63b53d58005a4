using Microsoft.Extensions.Diagnostics.HealthChecks;
using NovaBrain.Gateway.Readiness;
using NovaBrain.Gateway.Routing;

namespace NovaBrain.Gateway;

public static class Extensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        // Routes, clusters and checks are built once at start-up, so the options are read here, not injected.
        var options = builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();

        var (routes, clusters) = ServiceRoutes.Build(options);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddServiceDiscoveryDestinationResolver();

        // Readiness probes fail fast: no retries, no circuit breaker between the gateway and an answer.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked for evaluation; it is the documented opt-out.
        builder.Services.AddHttpClient(ServiceReadinessCheck.HttpClientName, client => client.Timeout = options.ReadinessTimeout)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        var healthChecks = builder.Services.AddHealthChecks();
        foreach (var service in options.Services.Values.Distinct())
        {
            healthChecks.Add(new HealthCheckRegistration(
                service,
                services => new ServiceReadinessCheck(services.GetRequiredService<IHttpClientFactory>(), service),
                HealthStatus.Unhealthy,
                tags: null));
        }

        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }
}
