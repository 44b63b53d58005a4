using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Clients;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Queue;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using NovaBrain.Training.Worker;

namespace NovaBrain.Training.Extensions;

public static class Extensions
{
    /// <summary>The Training service's own services: the job queue, job submission and cancellation, the clients of the parameter service and the registry, and the event streams' options.</summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<JobQueueOptions>().BindConfiguration(JobQueueOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<JobEventsOptions>().BindConfiguration(JobEventsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<ServiceAddressOptions>().BindConfiguration(ServiceAddressOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddScoped<TemplateCatalog>();
        builder.Services.AddScoped<JobManager>();

        // Datasets, checkpoints and models can be large: one attempt may take minutes, not the default 10 seconds.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient<ParametersClient>((services, http) =>
            {
                http.BaseAddress = services.GetRequiredService<IOptions<ServiceAddressOptions>>().Value.ParametersAddress;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddServiceClientCredentials()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(TransferResilience);
        builder.Services.AddHttpClient<RegistryClient>((services, http) =>
            {
                http.BaseAddress = services.GetRequiredService<IOptions<ServiceAddressOptions>>().Value.RegistryAddress;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .AddServiceClientCredentials()
            .RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(TransferResilience);
#pragma warning restore EXTEXP0001
        return builder;
    }

    /// <summary>The training worker in this process, unless <c>Training:Worker:Enabled</c> is false.</summary>
    public static IHostApplicationBuilder AddTrainingWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrainingWorkerOptions>().BindConfiguration(TrainingWorkerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatasetOptions>().BindConfiguration(DatasetOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        if (builder.Configuration.GetValue($"{TrainingWorkerOptions.SectionName}:{nameof(TrainingWorkerOptions.Enabled)}", defaultValue: true))
        {
            builder.Services.AddScoped<JobRunner>();
            builder.Services.AddHostedService<TrainingWorker>();
        }
        return builder;
    }

    private static void TransferResilience(Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions resilience)
    {
        resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(5);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(15);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(10);
    }
}
