using Google.Protobuf;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Clients;
using NovaBrain.Training.Export;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Queue;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Training.Worker;

/// <summary>
/// Runs one delivered job: claims it in the database (a new attempt and a lease), trains it from its last checkpoint
/// if it has one, exports, verifies and registers the model, and records every step on the job. Failures that a
/// retry may cure are retried with back-off until the attempts run out; the rest fail the job at once.
/// </summary>
public sealed partial class JobRunner(
    TrainingContext context,
    IServiceScopeFactory scopeFactory,
    JobQueue queue,
    ParametersClient parameters,
    RegistryClient registry,
    TemplateCatalog templates,
    IOptions<TrainingWorkerOptions> workerOptions,
    IOptions<DatasetOptions> datasetOptions,
    TimeProvider time,
    ILogger<JobRunner> logger)
{
    private TrainingWorkerOptions Options => workerOptions.Value;

    public async Task<DeliveryOutcome> RunAsync(Guid jobId, WorkerSlot slot, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        var claimed = await context.Jobs
            .Where(job => job.Id == jobId && !job.CancelRequested &&
                          (job.State == JobStates.Queued || (job.State == JobStates.Running && job.LeaseExpiresAt < now)))
            .ExecuteUpdateAsync(job => job
                .SetProperty(j => j.State, JobStates.Running)
                .SetProperty(j => j.Attempts, j => j.Attempts + 1)
                .SetProperty(j => j.Worker, slot.WorkerName)
                .SetProperty(j => j.LeaseExpiresAt, now + Options.Lease)
                .SetProperty(j => j.StartedAt, j => j.StartedAt ?? now), stoppingToken);
        var job = await context.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Id == jobId, stoppingToken);
        if (job is null)
        {
            LogUnknownJob(jobId);
            return DeliveryOutcome.Acknowledge;
        }
        if (claimed == 0)
        {
            return await NotClaimedAsync(job, stoppingToken);
        }
        if (job.Attempts > queue.Options.MaxAttempts)
        {
            await FinishAsync(job, JobStates.Failed, $"Gave up after {queue.Options.MaxAttempts} attempts; the last one ended without a result (the worker stopped or crashed).");
            return DeliveryOutcome.DeadLetter;
        }

        LogStarted(job.Id, job.Attempts, slot.WorkerName);
        using var jobCancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var heartbeat = new CancellationTokenSource();
        var heartbeatTask = HeartbeatAsync(job, jobCancellation, heartbeat.Token);
        try
        {
            var (version, weights) = await TrainAndRegisterAsync(job, slot, jobCancellation.Token);
            await FinishAsync(job, JobStates.Succeeded, failureReason: null, version, weights);
            LogSucceeded(job.Id, job.ModelName, version);
            return DeliveryOutcome.Acknowledge;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The worker is stopping: give the claim up so that the redelivered message is run at once elsewhere.
            await ReleaseAsync(job);
            return DeliveryOutcome.Requeue;
        }
        catch (OperationCanceledException) when (jobCancellation.IsCancellationRequested)
        {
            await FinishAsync(job, JobStates.Cancelled, failureReason: null);
            LogCancelled(job.Id);
            return DeliveryOutcome.Acknowledge;
        }
        catch (Exception exception) when (exception is TrainingDataException or OnnxMismatchException or JobDefinitionException)
        {
            await FinishAsync(job, JobStates.Failed, exception.Message);
            LogFailed(exception, job.Id, job.Attempts);
            return DeliveryOutcome.Acknowledge;
        }
        catch (Exception exception)
        {
            LogFailed(exception, job.Id, job.Attempts);
            if (job.Attempts >= queue.Options.MaxAttempts)
            {
                await FinishAsync(job, JobStates.Failed, $"Attempt {job.Attempts} of {queue.Options.MaxAttempts} failed: {exception.Message}");
                return DeliveryOutcome.DeadLetter;
            }
            await RequeueForRetryAsync(job, exception.Message);
            return DeliveryOutcome.Acknowledge;
        }
        finally
        {
            await heartbeat.CancelAsync();
            await heartbeatTask;
        }
    }

    private async Task<DeliveryOutcome> NotClaimedAsync(TrainingJob job, CancellationToken cancellationToken)
    {
        if (job.State == JobStates.Queued && job.CancelRequested)
        {
            await FinishAsync(job, JobStates.Cancelled, failureReason: null);
            return DeliveryOutcome.Acknowledge;
        }
        if (job.State == JobStates.Running)
        {
            // Claimed by a worker whose lease is live: look again once the lease could have run out, in case it died.
            await queue.RetryAsync(job.Id, job.Priority, Options.Lease, cancellationToken);
        }
        return DeliveryOutcome.Acknowledge;
    }

    private async Task<(int Version, string Weights)> TrainAndRegisterAsync(TrainingJob job, WorkerSlot slot, CancellationToken cancellationToken)
    {
        var template = await templates.FindAsync(job.Template, job.TemplateVersion, cancellationToken)
            ?? throw new JobDefinitionException($"Template {job.Template}@{job.TemplateVersion} no longer exists.");
        var hyperparameters = JsonSerializer.Deserialize<Hyperparameters>(job.Hyperparameters, JsonSerializerOptions.Web)!;
        using var dataset = await OpenDatasetAsync(job, template, hyperparameters, cancellationToken);

        TrainingCheckpoint? resumeFrom = null;
        if (job.CheckpointBlob is { } checkpointBlob)
        {
            resumeFrom = TrainingCheckpoint.FromBytes(await parameters.GetBlobAsync(checkpointBlob, cancellationToken)
                ?? throw new InvalidOperationException($"The checkpoint blob {checkpointBlob} is gone."));
            LogResuming(job.Id, resumeFrom.CompletedEpochs, resumeFrom.Partial?.Steps ?? 0);
        }

        var device = torch.CPU;
        if (job.Device == JobDevices.Cuda)
        {
            if (slot.Cuda is { } cuda)
            {
                device = cuda;
            }
            else
            {
                LogCudaFallback(job.Id);
            }
        }

        using var trained = await NetworkTrainer.TrainAsync(dataset, template, hyperparameters, device, resumeFrom,
            (metrics, checkpoint, token) => RecordEpochAsync(job, metrics, checkpoint, token), cancellationToken,
            (checkpoint, token) => SaveCheckpointAsync(job, checkpoint, token));

        var onnx = OnnxExporter.Export(trained).ToByteArray();
        var difference = OnnxOutputCheck.Verify(onnx, trained);
        var blob = await parameters.PutBlobAsync(onnx, cancellationToken);
        var weightsSet = $"{job.ModelName}.weights";
        var weightsVersion = await parameters.CreateSetVersionAsync(weightsSet, blob, ParametersClient.OnnxFormat,
            $"Weights of training job {job.Id}.", new Dictionary<string, string> { ["trainingJob"] = job.Id.ToString() }, cancellationToken);
        var weights = $"params:/{weightsSet}/{weightsVersion}";

        var metricValues = trained.ModelEpoch.Metrics.ToDictionary();
        metricValues["epochs"] = trained.History[^1].Epoch;
        metricValues["model_epoch"] = trained.ModelEpoch.Epoch;
        metricValues["onnx_max_abs_diff"] = difference;
        var tags = new Dictionary<string, string> { ["task"] = template.Task };
        if (trained.Classes.Count > 0)
        {
            tags["classes"] = string.Join(',', trained.Classes);
        }
        if (hyperparameters.Convolution is { } image)
        {
            tags["imageShape"] = image.ShapeText;
        }
        else
        {
            tags["features"] = string.Join(',', dataset.FeatureNames);
        }

        await registry.EnsureModelAsync(job.ModelName, $"Trained from template {template.Reference}.", cancellationToken);
        var version = await registry.RegisterVersionAsync(job.ModelName, onnx, new RegistrationMetadata(
            "onnx",
            $"Training job {job.Id}: {template.Reference} on {job.Dataset} (label '{job.LabelColumn}').",
            metricValues,
            hyperparameters.ToParams(),
            tags,
            new RegistrationLineage([job.Dataset], [weights], [], job.Id.ToString(), template.Reference)), cancellationToken);
        return (version, weights);
    }

    /// <summary>Downloads the dataset to a temporary file and opens it for streaming; the file goes once it is converted.</summary>
    private async Task<TabularDataset> OpenDatasetAsync(TrainingJob job, TrainingTemplate template, Hyperparameters hyperparameters, CancellationToken cancellationToken)
    {
        var download = Path.Combine(Path.GetTempPath(), $"novabrain-download-{job.Id:N}-{job.Attempts}");
        try
        {
            if (!await parameters.DownloadBlobAsync(job.Dataset, download, cancellationToken))
            {
                throw new TrainingDataException($"The dataset blob {job.Dataset} does not exist.");
            }
            return await TabularDataset.OpenAsync(download, job.LabelColumn, template.Task,
                new DatasetSplit(hyperparameters.ValidationFraction, hyperparameters.Seed, datasetOptions.Value.ShuffleBufferRows), cancellationToken);
        }
        finally
        {
            File.Delete(download);
        }
    }

    private async Task RecordEpochAsync(TrainingJob job, EpochMetrics metrics, TrainingCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        context.Progress.Add(new JobProgress
        {
            JobId = job.Id,
            Attempt = job.Attempts,
            Epoch = metrics.Epoch,
            Loss = metrics.Loss,
            LearningRate = metrics.LearningRate,
            Metrics = metrics.Metrics.ToDictionary(),
            At = time.GetUtcNow(),
        });
        await context.SaveChangesAsync(cancellationToken);
        context.ChangeTracker.Clear();
        if (checkpoint is not null)
        {
            await SaveCheckpointAsync(job, checkpoint, cancellationToken);
        }
    }

    /// <summary>Stores the checkpoint in the parameter service and points the job at it, for a redelivery to resume from.</summary>
    private async Task SaveCheckpointAsync(TrainingJob job, TrainingCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var blob = await parameters.PutBlobAsync(checkpoint.ToBytes(), cancellationToken);
        var tags = new Dictionary<string, string> { ["epoch"] = checkpoint.CompletedEpochs.ToString(CultureInfo.InvariantCulture) };
        if (checkpoint.Partial is { } partial)
        {
            tags["stepsIntoEpoch"] = partial.Steps.ToString(CultureInfo.InvariantCulture);
        }
        await parameters.CreateSetVersionAsync($"training.{job.Id:N}.checkpoints", blob, ParametersClient.TorchSharpFormat,
            checkpoint.Partial is { } steps
                ? $"Checkpoint of training job {job.Id} after epoch {checkpoint.CompletedEpochs} and {steps.Steps} steps of the next."
                : $"Checkpoint of training job {job.Id} after epoch {checkpoint.CompletedEpochs}.",
            tags, cancellationToken);
        await context.Jobs.Where(j => j.Id == job.Id && j.Attempts == job.Attempts)
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.CheckpointBlob, blob)
                .SetProperty(x => x.CheckpointEpoch, checkpoint.CompletedEpochs), cancellationToken);
    }

    /// <summary>Renews the lease while the job runs, and cancels it when a cancel is requested or the lease was lost.</summary>
    private async Task HeartbeatAsync(TrainingJob job, CancellationTokenSource jobCancellation, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Options.Heartbeat, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                int renewed;
                try
                {
                    await using var scope = scopeFactory.CreateAsyncScope();
                    var heartbeatContext = scope.ServiceProvider.GetRequiredService<TrainingContext>();
                    renewed = await heartbeatContext.Jobs
                        .Where(j => j.Id == job.Id && j.Attempts == job.Attempts && j.State == JobStates.Running && !j.CancelRequested)
                        .ExecuteUpdateAsync(j => j.SetProperty(x => x.LeaseExpiresAt, time.GetUtcNow() + Options.Lease), stop);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A missed renewal is harmless while the lease lasts; the next tick tries again.
                    LogHeartbeatFailed(exception, job.Id);
                    continue;
                }
                if (renewed == 0)
                {
                    await jobCancellation.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private Task FinishAsync(TrainingJob job, string state, string? failureReason, int? modelVersion = null, string? weights = null) =>
        context.Jobs.Where(j => j.Id == job.Id && j.Attempts == job.Attempts && (j.State == JobStates.Queued || j.State == JobStates.Running))
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, state)
                .SetProperty(x => x.FinishedAt, time.GetUtcNow())
                .SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(x => x.FailureReason, failureReason)
                .SetProperty(x => x.ModelVersion, modelVersion)
                .SetProperty(x => x.WeightsParameterSet, weights), CancellationToken.None);

    private Task ReleaseAsync(TrainingJob job) =>
        context.Jobs.Where(j => j.Id == job.Id && j.Attempts == job.Attempts && j.State == JobStates.Running)
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, JobStates.Queued)
                .SetProperty(x => x.Worker, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null), CancellationToken.None);

    private async Task RequeueForRetryAsync(TrainingJob job, string reason)
    {
        await context.Jobs.Where(j => j.Id == job.Id && j.Attempts == job.Attempts && j.State == JobStates.Running)
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, JobStates.Queued)
                .SetProperty(x => x.Worker, (string?)null)
                .SetProperty(x => x.LeaseExpiresAt, (DateTimeOffset?)null)
                .SetProperty(x => x.FailureReason, $"Attempt {job.Attempts} failed, retrying: {reason}"), CancellationToken.None);
        var delay = queue.Options.RetryDelay * Math.Pow(2, job.Attempts - 1);
        await queue.RetryAsync(job.Id, job.Priority, delay, CancellationToken.None);
    }

    [LoggerMessage(LogLevel.Warning, "Renewing the lease of job {JobId} failed")]
    private partial void LogHeartbeatFailed(Exception exception, Guid jobId);

    [LoggerMessage(LogLevel.Warning, "Job {JobId} was delivered but does not exist; dropped")]
    private partial void LogUnknownJob(Guid jobId);

    [LoggerMessage(LogLevel.Information, "Job {JobId} attempt {Attempt} started on {Worker}")]
    private partial void LogStarted(Guid jobId, int attempt, string worker);

    [LoggerMessage(LogLevel.Information, "Job {JobId} resumes from its checkpoint after epoch {Epoch} and {Steps} steps of the next")]
    private partial void LogResuming(Guid jobId, int epoch, int steps);

    [LoggerMessage(LogLevel.Warning, "Job {JobId} asked for cuda, but CUDA is not available here; training on the CPU")]
    private partial void LogCudaFallback(Guid jobId);

    [LoggerMessage(LogLevel.Information, "Job {JobId} succeeded: {Model} version {Version}")]
    private partial void LogSucceeded(Guid jobId, string model, int version);

    [LoggerMessage(LogLevel.Information, "Job {JobId} cancelled")]
    private partial void LogCancelled(Guid jobId);

    [LoggerMessage(LogLevel.Warning, "Job {JobId} attempt {Attempt} failed")]
    private partial void LogFailed(Exception exception, Guid jobId, int attempt);
}

/// <summary>The job cannot run as it was defined (its template is gone): retrying will not help.</summary>
public sealed class JobDefinitionException(string message) : Exception(message);
