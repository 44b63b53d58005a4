using Microsoft.Extensions.Options;
using NovaBrain.Grpc;
using NovaBrain.ModelServing.Deployments;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Metrics;
using NovaBrain.ModelServing.Protocol.Grpc;
using NovaBrain.ModelServing.Protocol;
using NovaBrain.ModelServing.Sampling;

namespace NovaBrain.ModelServing.Extensions;

public static class Extensions
{
    /// <summary>
    /// Model serving's own services: the registry and parameter-service clients (calling with this service's token), the
    /// artifact cache, the model loader, the deployments (their specs stored and restored at start-up) and the protocol
    /// operations, the serving metrics, and the sampler publishing requests for drift monitoring.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ServingOptions>()
            .BindConfiguration(ServingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient(RegistryClient.HttpClientName, http => http.BaseAddress = new Uri("http://model-registry"))
            .AddServiceClientCredentials();
        builder.Services.AddHttpClient(ArtifactCache.HttpClientName, http => http.BaseAddress = new Uri("http://parameters"))
            .AddServiceClientCredentials();

        builder.Services.AddSingleton<ServingMetrics>();
        builder.Services.AddSingleton<RegistryClient>();
        builder.Services.AddSingleton<ArtifactCache>();
        builder.Services.AddSingleton<ModelLoader>();
        builder.Services.AddSingleton<DeploymentStore>();
        builder.Services.AddSingleton<DeploymentManager>();
        builder.Services.AddHostedService<DeploymentSync>();
        builder.Services.AddSingleton<InferenceService>();
        builder.Services.AddSingleton<InferenceSampler>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InferenceSampler>());
        return builder;
    }

    /// <summary>The inference protocol's gRPC service, with gRPC health checks and reflection beside it.</summary>
    public static IHostApplicationBuilder AddInferenceGrpc(this IHostApplicationBuilder builder)
    {
        // Calls to services not served here answer HTTP 404, rather than through a catch-all endpoint without a permission.
        builder.Services.AddGrpc(options => options.IgnoreUnknownServices = true);
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddGrpcReflection();
        return builder;
    }

    public static WebApplication MapInferenceGrpc(this WebApplication app)
    {
        // Each method states its permission; the service as a whole (and its catch-all for unknown methods) needs a caller.
        app.MapGrpcService<InferenceGrpcService>().RequireMethodPermissions();
        if (app.Services.GetRequiredService<IOptions<ServingOptions>>().Value.Benchmark.EchoEnabled)
        {
            app.MapGrpcService<TransportFloorService>().RequireMethodPermissions();
        }
        app.MapGrpcHealthChecksService().AllowAnonymous();
        app.MapGrpcReflectionService().AllowAnonymous();
        return app;
    }
}
