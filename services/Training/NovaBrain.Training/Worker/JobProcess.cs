using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;

namespace NovaBrain.Training.Worker;

/// <summary>
/// The process of a Kubernetes Job (the <see cref="TrainingRole.Job"/> role): runs the one job <c>Training:JobId</c>
/// with the <see cref="JobRunner"/> (claim, lease, checkpoints, resume) and stops the application with an exit code the
/// Job's backoff limit and pod failure policy act on (<see cref="JobExitCodes"/>).
/// </summary>
public sealed partial class JobProcess(
    IOptions<TrainingProcessOptions> options,
    IServiceScopeFactory scopeFactory,
    IHostApplicationLifetime lifetime,
    ILogger<JobProcess> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var jobId = options.Value.JobId!.Value;
        try
        {
            // Kubernetes' device plugin shows the pod only the GPUs it was given: the first visible one is the Job's.
            var slot = WorkerSlot.Detect(configured: 1).Single();
            await using var scope = scopeFactory.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<JobRunner>().RunAsync(jobId, slot, stoppingToken);
            var state = await scope.ServiceProvider.GetRequiredService<TrainingContext>().Jobs
                .Where(job => job.Id == jobId).Select(job => job.State).SingleOrDefaultAsync(CancellationToken.None);
            Environment.ExitCode = JobExitCodes.Of(outcome, state);
            LogFinished(jobId, state, Environment.ExitCode);
        }
        catch (Exception exception)
        {
            // The database, the broker or a service failed around the job: another pod of the Job tries again.
            LogRunFailed(exception, jobId);
            Environment.ExitCode = JobExitCodes.Retry;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    [LoggerMessage(LogLevel.Information, "Job {JobId} left in state {State}; exiting with {ExitCode}")]
    private partial void LogFinished(Guid jobId, string? state, int exitCode);

    [LoggerMessage(LogLevel.Error, "Running job {JobId} failed outside its training; exiting for a retry")]
    private partial void LogRunFailed(Exception exception, Guid jobId);
}

/// <summary>
/// How a Job's process tells Kubernetes what became of its job. The queue, not the Job, retries a job whose training
/// failed (it is Queued again and its retry message starts a new Job, the next attempt), so the Job itself retries only
/// a process that could not finish its run: a crash, an eviction, an outage around the job.
/// </summary>
public static class JobExitCodes
{
    /// <summary>The run is over: the job succeeded or was cancelled, its retry is on the queue, or another process holds it.</summary>
    public const int Done = 0;

    /// <summary>The run could not finish (the process was stopping, or the database or broker failed): run the pod again.</summary>
    public const int Retry = 1;

    /// <summary>The job failed for good (bad input, attempts used up): the pod failure policy fails the Job without retries.</summary>
    public const int Unrecoverable = 2;

    public static int Of(DeliveryOutcome outcome, string? state) => (outcome, state) switch
    {
        (DeliveryOutcome.Requeue, _) => Retry,
        (_, JobStates.Failed) => Unrecoverable,
        _ => Done,
    };
}
