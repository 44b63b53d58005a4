using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;

namespace NovaBrain.ModelRegistry.Extensions;

public static class Extensions
{
    /// <summary>The registry's own services: artifact handling, ONNX validation, the lifecycle rules and the parameter service's blob store.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ArtifactOptions>()
            .BindConfiguration(ArtifactOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<ValidationOptions>()
            .BindConfiguration(ValidationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<OnnxValidator>();
        builder.Services.AddScoped<LifecycleWriter>();

        // Artifacts are large: the default resilience (10 s per attempt) is replaced by one sized for an upload; a
        // retry re-sends the file from its start. RemoveAllResilienceHandlers is the library's way to do that, marked experimental.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ArtifactStore>((services, http) =>
            {
                http.BaseAddress = services.GetRequiredService<IOptions<ArtifactOptions>>().Value.ParametersAddress;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddServiceClientCredentials()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler()
            .Configure((resilience, services) =>
            {
                var timeout = services.GetRequiredService<IOptions<ArtifactOptions>>().Value.StoreTimeout;
                resilience.AttemptTimeout.Timeout = timeout;
                resilience.TotalRequestTimeout.Timeout = timeout * 3;
                resilience.CircuitBreaker.SamplingDuration = timeout * 2;
            });
#pragma warning restore EXTEXP0001
        return builder;
    }
}
