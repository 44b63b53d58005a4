using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;

namespace NovaBrain.Training.Worker.Kubernetes;

/// <summary>
/// Runs each delivered job as a Kubernetes Job (<see cref="JobExecution.KubernetesJobs"/>): creates the Job of the job's
/// next attempt and acknowledges the message once the Job exists. A job that is running under a live lease, or is
/// finished, gets no Job. Retries of failed training come back through the queue as new messages, hence new attempts.
/// </summary>
public sealed partial class KubernetesJobExecution(
    TrainingContext context,
    IKubernetes kubernetes,
    KubernetesJobTemplate template,
    IOptions<KubernetesJobsOptions> options,
    TimeProvider time,
    ILogger<KubernetesJobExecution> logger) : IJobExecution
{
    public async Task<DeliveryOutcome> ExecuteAsync(Guid jobId, WorkerSlot slot, CancellationToken stoppingToken)
    {
        var job = await context.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, stoppingToken);
        var now = time.GetUtcNow();
        if (job is null || JobStates.IsFinal(job.State) || (job.State == JobStates.Running && job.LeaseExpiresAt >= now))
        {
            return DeliveryOutcome.Acknowledge;
        }

        var attempt = job.Attempts + 1;
        var manifest = template.For(jobId, attempt);
        try
        {
            await kubernetes.BatchV1.CreateNamespacedJobAsync(manifest, options.Value.Namespace, cancellationToken: stoppingToken);
            LogCreated(manifest.Metadata.Name, jobId, attempt);
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // This attempt's Job was created by an earlier delivery of the same message.
            LogExists(manifest.Metadata.Name, jobId);
        }
        return DeliveryOutcome.Acknowledge;
    }

    [LoggerMessage(LogLevel.Information, "Created Kubernetes Job {Name} for job {JobId} attempt {Attempt}")]
    private partial void LogCreated(string name, Guid jobId, int attempt);

    [LoggerMessage(LogLevel.Information, "Kubernetes Job {Name} for job {JobId} exists already")]
    private partial void LogExists(string name, Guid jobId);
}
