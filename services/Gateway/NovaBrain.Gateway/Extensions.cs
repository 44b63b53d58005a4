using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using NovaBrain.Gateway.Observability;
using NovaBrain.Gateway.RateLimiting;
using NovaBrain.Gateway.Readiness;
using NovaBrain.Gateway.Routing;
using Scalar.AspNetCore;

namespace NovaBrain.Gateway;

public static class Extensions
{
    /// <summary>The routes to every service, with their limits, timeouts and health checks (see <see cref="ServiceRoutes"/>).</summary>
    public static IHostApplicationBuilder AddServiceProxy(this IHostApplicationBuilder builder)
    {
        var options = ReadGatewayOptions(builder);
        if (options.Problems().ToList() is [_, ..] problems)
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), problems);
        }
        builder.Services.AddSingleton(Options.Create(options));

        var (routes, clusters) = ServiceRoutes.Build(options);
        builder.Services.AddReverseProxy()
            .LoadFromMemory(routes, clusters)
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddRequestTimeouts();
        return builder;
    }

    /// <summary>The gateway's readiness includes each service's: <c>/health/ready</c> names the services that are not.</summary>
    public static IHostApplicationBuilder AddServiceReadinessChecks(this IHostApplicationBuilder builder)
    {
        var options = ReadGatewayOptions(builder);

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
        return builder;
    }

    /// <summary>
    /// Per-caller limits counted in Redis (see <see cref="RedisRateLimitingMiddleware"/>), whose client the service
    /// defaults register.
    /// </summary>
    public static IHostApplicationBuilder AddRedisRateLimiting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.SectionName)
            .Validate(options => options.IsValid(), "Every Gateway:RateLimits policy needs a positive PermitLimit and WindowSeconds.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RedisFixedWindowCounter>();
        return builder;
    }

    /// <summary>The gateway's gRPC port answers health checks and reflection.</summary>
    public static IHostApplicationBuilder AddGrpcHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }

    public static IApplicationBuilder UseCorrelationId(this IApplicationBuilder app) => app.UseMiddleware<CorrelationIdMiddleware>();

    public static IApplicationBuilder UseAccessLog(this IApplicationBuilder app) => app.UseMiddleware<AccessLogMiddleware>();

    public static IApplicationBuilder UseRedisRateLimiting(this IApplicationBuilder app) => app.UseMiddleware<RedisRateLimitingMiddleware>();

    /// <summary>YARP's default proxy pipeline, with timeouts answered as a gateway should.</summary>
    public static WebApplication MapServiceProxy(this WebApplication app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(RouteTimeouts.AnswerGatewayTimeout);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    /// <summary>
    /// <c>/api/docs</c>: one reference UI over every service's OpenAPI document, each fetched through the gateway's
    /// own (anonymous) <c>/api/{prefix}/openapi/v1.json</c> route.
    /// </summary>
    public static IEndpointConventionBuilder MapApiDocs(this WebApplication app)
    {
        var prefixes = app.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Services.Keys.Order().ToList();
        return app.MapScalarApiReference("/api/docs", options =>
        {
            options.WithTitle("NovaBrain APIs");
            foreach (var prefix in prefixes)
            {
                options.AddDocument(prefix, prefix, $"/api/{prefix}/openapi/v1.json", isDefault: prefix == GatewayOptions.AuthPrefix);
            }
        }).AllowAnonymous();
    }

    public static WebApplication MapGrpcHealth(this WebApplication app)
    {
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }

    // Routes, clusters and checks are built once at start-up, so the options are read then, not injected.
    private static GatewayOptions ReadGatewayOptions(IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(GatewayOptions.SectionName).Get<GatewayOptions>() ?? new GatewayOptions();
}
