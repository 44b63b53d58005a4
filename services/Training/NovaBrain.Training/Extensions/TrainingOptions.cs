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

/// <summary>Bound from <c>Training:Worker</c>: the worker that runs jobs in this process, one at a time.</summary>
public sealed class TrainingWorkerOptions
{
    public const string SectionName = "Training:Worker";

    /// <summary>Whether this process consumes the job queue.</summary>
    public bool Enabled { get; set; } = true;

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
