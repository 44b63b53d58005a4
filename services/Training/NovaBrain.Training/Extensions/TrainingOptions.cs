using System.ComponentModel.DataAnnotations;

namespace NovaBrain.Training.Extensions;

/// <summary>Bound from <c>Training:Queue</c>: the durable job queue on RabbitMQ.</summary>
public sealed class JobQueueOptions
{
    public const string SectionName = "Training:Queue";

    /// <summary>The queue jobs wait in; its dead-letter queue is this name with <c>.dead-letter</c>, its retry queue with <c>.retry</c>.</summary>
    [Required]
    public string QueueName { get; set; } = "training.jobs";

    /// <summary>The highest priority a job may have (RabbitMQ's <c>x-max-priority</c>); 0 is the lowest.</summary>
    [Range(1, 9)]
    public int MaxPriority { get; set; } = 9;

    /// <summary>How many times a job is attempted before it fails for good and its message is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The wait before the first retry; each further retry waits twice as long.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>What a process of the Training service does (<see cref="TrainingProcessOptions.Role"/>).</summary>
public enum TrainingRole
{
    /// <summary>The REST APIs: templates, job submission, progress. It alone migrates the database.</summary>
    Api,

    /// <summary>Consumes the job queue and runs each job (or launches it as a Kubernetes Job); serves only health and metrics.</summary>
    Worker,

    /// <summary>Runs the one job <see cref="TrainingProcessOptions.JobId"/> and exits: the process of a Kubernetes Job.</summary>
    Job,
}

/// <summary>How a worker runs the jobs it is delivered.</summary>
public enum JobExecution
{
    /// <summary>In the worker's own process, one job per slot.</summary>
    InProcess,

    /// <summary>Each job as a <c>batch/v1</c> Job from the mounted template (<see cref="KubernetesJobsOptions"/>).</summary>
    KubernetesJobs,
}

/// <summary>Bound from <c>Training</c>: the role of this process, read once at start-up.</summary>
public sealed class TrainingProcessOptions
{
    public const string SectionName = "Training";

    public TrainingRole Role { get; set; } = TrainingRole.Api;

    /// <summary>In the worker role: where jobs run.</summary>
    public JobExecution Execution { get; set; } = JobExecution.InProcess;

    /// <summary>In the job role: the job to run.</summary>
    public Guid? JobId { get; set; }

    public static TrainingProcessOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection(SectionName).Get<TrainingProcessOptions>() ?? new TrainingProcessOptions();
        if (options.Role == TrainingRole.Job && options.JobId is null)
        {
            throw new InvalidOperationException("Training:Role is Job, but Training:JobId names no job to run.");
        }
        return options;
    }
}

/// <summary>Bound from <c>Training:Worker</c>: the worker that runs jobs, one at a time per slot.</summary>
public sealed class TrainingWorkerOptions
{
    public const string SectionName = "Training:Worker";

    /// <summary>
    /// How many jobs the worker runs at once. Unset: one per visible CUDA device, each job on its own device, or one
    /// on a machine without CUDA.
    /// </summary>
    [Range(1, 64)]
    public int? Slots { get; set; }

    /// <summary>
    /// How long a claim on a running job lasts unless renewed: a crashed worker's job runs again this long after the
    /// crash at the latest. Many heartbeats long, so that a slow database does not let a live job's claim lapse.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a running job's lease is renewed and its cancellation looked for.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:10:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Bound from <c>Training:Services</c>: where datasets, checkpoints, weights and trained models go.</summary>
public sealed class ServiceAddressOptions
{
    public const string SectionName = "Training:Services";

    [Required]
    public Uri ParametersAddress { get; set; } = new("http://parameters");

    [Required]
    public Uri RegistryAddress { get; set; } = new("http://model-registry");
}

/// <summary>Bound from <c>Training:Events</c>: the server-sent event streams of jobs.</summary>
public sealed class JobEventsOptions
{
    public const string SectionName = "Training:Events";

    /// <summary>How often a stream looks for new progress and state changes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Bound from <c>KubernetesJobs</c> (the published worker gets both from its manifests): the Job template mounted from
/// its ConfigMap and the namespace the worker runs in.
/// </summary>
public sealed class KubernetesJobsOptions
{
    public const string SectionName = "KubernetesJobs";

    [Required]
    public string TemplatePath { get; set; } = "";

    [Required]
    public string Namespace { get; set; } = "";
}
