using k8s;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Clients;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Queue;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using NovaBrain.Training.Worker;
using NovaBrain.Training.Worker.Kubernetes;

namespace NovaBrain.Training.Extensions;

public static class Extensions
{
    private const string DatabaseName = "trainingdb";

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

    /// <summary>
    /// This process's role (<c>Training:Role</c>): the APIs, a worker or one job. The database is migrated in the API
    /// role only, so that worker replicas starting together never race to migrate it.
    /// </summary>
    public static TrainingProcessOptions AddTrainingRole(this IHostApplicationBuilder builder)
    {
        var process = TrainingProcessOptions.From(builder.Configuration);
        builder.Services.AddOptions<TrainingProcessOptions>().BindConfiguration(TrainingProcessOptions.SectionName);
        if (process.Role == TrainingRole.Api)
        {
            builder.AddServiceDatabase<TrainingContext>(DatabaseName);
        }
        else
        {
            builder.AddNpgsqlDbContext<TrainingContext>(DatabaseName);
        }
        return process;
    }

    /// <summary>What runs jobs in this process: nothing (API), a queue consumer per slot (worker) or one job (job).</summary>
    public static IHostApplicationBuilder AddTrainingWorker(this IHostApplicationBuilder builder, TrainingProcessOptions process)
    {
        if (process.Role == TrainingRole.Api)
        {
            return builder;
        }

        builder.Services.AddOptions<TrainingWorkerOptions>().BindConfiguration(TrainingWorkerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<DatasetOptions>().BindConfiguration(DatasetOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<JobRunner>();
        if (process.Role == TrainingRole.Job)
        {
            builder.Services.AddHostedService<JobProcess>();
            return builder;
        }

        if (process.Execution == JobExecution.KubernetesJobs)
        {
            builder.Services.AddOptions<KubernetesJobsOptions>().BindConfiguration(KubernetesJobsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddSingleton(services => KubernetesJobTemplate.Load(services.GetRequiredService<IOptions<KubernetesJobsOptions>>().Value.TemplatePath));
            builder.Services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(KubernetesClientConfiguration.InClusterConfig()));
            builder.Services.AddScoped<IJobExecution, KubernetesJobExecution>();
            // Launching a Job takes moments; one slot is enough, and the worker needs no GPU of its own.
            builder.Services.AddSingleton<IReadOnlyList<WorkerSlot>>([WorkerSlot.Launcher]);
        }
        else
        {
            builder.Services.AddScoped<IJobExecution, InProcessExecution>();
            builder.Services.AddSingleton<IReadOnlyList<WorkerSlot>>(services =>
                WorkerSlot.Detect(services.GetRequiredService<IOptions<TrainingWorkerOptions>>().Value.Slots));
        }
        builder.Services.AddHostedService<TrainingWorker>();
        return builder;
    }

    private static void TransferResilience(Microsoft.Extensions.Http.Resilience.HttpStandardResilienceOptions resilience)
    {
        resilience.AttemptTimeout.Timeout = TimeSpan.FromMinutes(5);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(15);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(10);
    }
}
