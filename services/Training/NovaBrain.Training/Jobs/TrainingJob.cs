namespace NovaBrain.Training.Jobs;

/// <summary>The states of a job: <c>Queued → Running → Succeeded | Failed | Cancelled</c>; a retried job goes back to Queued.</summary>
public static class JobStates
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static bool IsFinal(string state) => state is Succeeded or Failed or Cancelled;
}

/// <summary>The devices a job may ask for.</summary>
public static class JobDevices
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";

    public static readonly IReadOnlyList<string> All = [Cpu, Cuda];
}

/// <summary>
/// A training job. A worker claims it by moving it to Running with a new attempt number and a lease it renews while
/// training; a delivery of a job whose lease has not expired is not run, so a job never runs twice at once.
/// </summary>
public sealed class TrainingJob
{
    public const int ModelNameMaxLength = 200;
    public const int LabelColumnMaxLength = 200;

    public Guid Id { get; set; }
    public required string Owner { get; set; }
    public required string Template { get; set; }
    public int TemplateVersion { get; set; }
    /// <summary>The resolved hyperparameters (defaults filled in), as JSON.</summary>
    public required string Hyperparameters { get; set; }
    public required string Dataset { get; set; }
    public required string LabelColumn { get; set; }
    public required string ModelName { get; set; }
    public required string Device { get; set; }
    public int Priority { get; set; }

    public string State { get; set; } = JobStates.Queued;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public bool CancelRequested { get; set; }
    public int Attempts { get; set; }
    public string? Worker { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public string? FailureReason { get; set; }

    /// <summary>The last checkpoint's blob digest and the epochs it completed; a redelivered job resumes from it.</summary>
    public string? CheckpointBlob { get; set; }
    public int CheckpointEpoch { get; set; }

    public int? ModelVersion { get; set; }
    public string? WeightsParameterSet { get; set; }

    public List<JobProgress> Progress { get; set; } = [];
}

/// <summary>One finished epoch of a job's attempt, as the trainer reported it.</summary>
public sealed class JobProgress
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public int Attempt { get; set; }
    public int Epoch { get; set; }
    public double Loss { get; set; }
    public double LearningRate { get; set; }
    public required Dictionary<string, double> Metrics { get; set; }
    public DateTimeOffset At { get; set; }
}
