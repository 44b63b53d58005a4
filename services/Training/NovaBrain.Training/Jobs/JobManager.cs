using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Training.Apis;
using NovaBrain.Training.Clients;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Queue;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Jobs;

/// <summary>What became of a submission: the queued job, or why there is none.</summary>
public sealed record SubmitResult(SubmitOutcome Outcome, TrainingJob? Job = null, Dictionary<string, string[]>? Errors = null);

public enum SubmitOutcome
{
    Queued,
    Invalid,
    DatasetNotFound,
    QueueUnavailable,
}

/// <summary>What became of a cancellation: the job as it now is, or why it was not cancelled.</summary>
public sealed record CancelResult(CancelOutcome Outcome, TrainingJob? Job = null);

public enum CancelOutcome
{
    Cancelled,
    NotFound,
    NotYours,
    AlreadyFinished,
}

/// <summary>
/// Submits and cancels jobs, whoever asks: the REST and gRPC APIs and hyperparameter studies share these rules.
/// </summary>
public sealed partial class JobManager(TrainingContext context, JobQueue queue, ParametersClient parameters, TemplateCatalog templates, TimeProvider time)
{
    /// <summary>Validates the request, saves the job and queues it; a job that cannot be queued is marked Failed.</summary>
    public async Task<SubmitResult> SubmitAsync(SubmitJobRequest request, string owner, CancellationToken cancellationToken)
    {
        var (template, hyperparameters, errors) = await ValidateAsync(request, queue.Options.MaxPriority, cancellationToken);
        if (errors.Count > 0)
        {
            return new SubmitResult(SubmitOutcome.Invalid, Errors: errors);
        }
        if (!await parameters.BlobExistsAsync(request.Dataset!, cancellationToken))
        {
            return new SubmitResult(SubmitOutcome.DatasetNotFound);
        }

        var job = new TrainingJob
        {
            Id = Guid.CreateVersion7(),
            Owner = owner,
            Template = template!.Name,
            TemplateVersion = template.Version,
            Hyperparameters = JsonSerializer.Serialize(hyperparameters, JsonSerializerOptions.Web),
            Dataset = request.Dataset!,
            LabelColumn = request.LabelColumn!,
            ModelName = request.ModelName!,
            Device = request.Device ?? JobDevices.Cpu,
            Priority = request.Priority ?? 0,
            CreatedAt = time.GetUtcNow(),
        };
        context.Jobs.Add(job);
        await context.SaveChangesAsync(cancellationToken);
        try
        {
            await queue.EnqueueAsync(job.Id, job.Priority, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            job.State = JobStates.Failed;
            job.FailureReason = $"The job could not be queued: {exception.Message}";
            job.FinishedAt = time.GetUtcNow();
            await context.SaveChangesAsync(CancellationToken.None);
            return new SubmitResult(SubmitOutcome.QueueUnavailable, job);
        }
        return new SubmitResult(SubmitOutcome.Queued, job);
    }

    /// <summary>
    /// Cancels one of <paramref name="owner"/>'s jobs: a queued job at once, a running one at its worker's next heartbeat.
    /// </summary>
    public async Task<CancelResult> CancelAsync(Guid jobId, string owner, CancellationToken cancellationToken)
    {
        if (await context.Jobs.AsNoTracking().SingleOrDefaultAsync(job => job.Id == jobId, cancellationToken) is not { } job)
        {
            return new CancelResult(CancelOutcome.NotFound);
        }
        if (job.Owner != owner)
        {
            return new CancelResult(CancelOutcome.NotYours, job);
        }

        var now = time.GetUtcNow();
        // Both are conditional updates, so a job that a worker claims meanwhile is flagged rather than marked
        // cancelled under its feet.
        await context.Jobs.Where(j => j.Id == jobId && j.State == JobStates.Queued)
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, JobStates.Cancelled)
                .SetProperty(x => x.CancelRequested, true)
                .SetProperty(x => x.FinishedAt, now), cancellationToken);
        await context.Jobs.Where(j => j.Id == jobId && j.State == JobStates.Running)
            .ExecuteUpdateAsync(j => j.SetProperty(x => x.CancelRequested, true), cancellationToken);

        var updated = await context.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, cancellationToken);
        return updated.State is JobStates.Succeeded or JobStates.Failed
            ? new CancelResult(CancelOutcome.AlreadyFinished, updated)
            : new CancelResult(CancelOutcome.Cancelled, updated);
    }

    private async Task<(TrainingTemplate? Template, Hyperparameters? Values, Dictionary<string, string[]> Errors)> ValidateAsync(
        SubmitJobRequest request, int maxPriority, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var template = string.IsNullOrWhiteSpace(request.Template) ? null : await templates.FindAsync(request.Template, request.TemplateVersion, cancellationToken);
        if (template is null)
        {
            errors["template"] = [TemplateCatalog.UnknownTemplateRule(request.Template, request.TemplateVersion)];
        }
        if (request.Dataset is null || !DigestPattern().IsMatch(request.Dataset))
        {
            errors["dataset"] = ["The dataset is the digest of a CSV or Parquet blob in the parameter service, sha256:<64 lowercase hex digits>."];
        }
        if (string.IsNullOrWhiteSpace(request.LabelColumn) || request.LabelColumn.Length > TrainingJob.LabelColumnMaxLength)
        {
            errors["labelColumn"] = [$"The label column is the name of the column to predict, 1 to {TrainingJob.LabelColumnMaxLength} characters."];
        }
        if (request.ModelName is null || !ModelNamePattern().IsMatch(request.ModelName))
        {
            errors["modelName"] = ["The model name is 1 to 100 characters: lowercase letters, digits, '.', '_' and '-', starting with a letter or digit."];
        }
        if (request.Device is not null && !JobDevices.All.Contains(request.Device))
        {
            errors["device"] = [$"The device is one of {string.Join(", ", JobDevices.All)}."];
        }
        if (request.Priority is < 0 || request.Priority > maxPriority)
        {
            errors["priority"] = [string.Create(CultureInfo.InvariantCulture, $"The priority is from 0 (lowest) to {maxPriority}.")];
        }
        if (template is null)
        {
            return (null, null, errors);
        }
        var (values, hyperparameterErrors) = HyperparameterValidator.Validate(template, request.Hyperparameters);
        foreach (var (field, messages) in hyperparameterErrors)
        {
            errors[field] = messages;
        }
        return (template, values, errors);
    }

    [GeneratedRegex("^sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelNamePattern();
}
