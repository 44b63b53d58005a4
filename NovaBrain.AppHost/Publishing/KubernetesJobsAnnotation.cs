namespace NovaBrain.AppHost.Publishing;

/// <summary>
/// Published, the resource (a job manager) may run work as <c>batch/v1</c> Jobs: it gets a Job template to fill in, a
/// service account allowed to create Jobs in its namespace, and a shared checkpoint claim the Jobs mount.
/// </summary>
/// <param name="BackoffLimit">Pod failures a Job retries before it fails (disruptions such as node drains do not count).</param>
/// <param name="Deadline">How long a Job may run in all.</param>
/// <param name="TimeToLive">How long a finished Job is kept for its status and logs.</param>
/// <param name="CheckpointSize">The size of the checkpoint claim.</param>
/// <param name="Gpu">The GPUs of each Job's pod; null for none. The manager's own GPUs are its <see cref="GpuAnnotation"/>.</param>
/// <param name="Resources">The CPU and memory of each Job's pod.</param>
/// <param name="Environment">Settings a Job's container has on top of the manager's (the role its process runs in, say).</param>
public sealed record KubernetesJobsAnnotation(
    int BackoffLimit,
    TimeSpan Deadline,
    TimeSpan TimeToLive,
    string CheckpointSize,
    GpuAnnotation? Gpu,
    ComputeResourcesAnnotation Resources,
    IReadOnlyDictionary<string, string> Environment) : IResourceAnnotation
{
    /// <summary>Where a Job's container finds the checkpoint claim.</summary>
    public const string CheckpointPath = "/app/data/checkpoints";

    /// <summary>The exit code of a job that can never succeed (invalid input): the Job fails at once, without retries.</summary>
    public const int UnrecoverableExitCode = 2;

    /// <summary>Where the job manager finds the Job template (<c>job.yaml</c>).</summary>
    public const string TemplateFolder = "/etc/novabrain/jobs";
}
