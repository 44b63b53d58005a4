using System.Text.Json;
using NovaBrain.Training.Jobs;

namespace NovaBrain.Training.Apis;

/// <summary>
/// A job to run: the template (its latest version unless one is named), hyperparameters (defaults for those left
/// out), the dataset (a CSV blob in the parameter service and its label column), the registered model the result
/// becomes a version of, the device (cpu or cuda; cuda falls back to cpu where there is none) and a priority.
/// </summary>
public sealed record SubmitJobRequest(
    string? Template,
    int? TemplateVersion,
    Dictionary<string, JsonElement>? Hyperparameters,
    string? Dataset,
    string? LabelColumn,
    string? ModelName,
    string? Device = null,
    int? Priority = null);

public sealed record JobResponse(
    Guid Id,
    string Owner,
    string Template,
    int TemplateVersion,
    JsonElement Hyperparameters,
    string Dataset,
    string LabelColumn,
    string ModelName,
    string Device,
    int Priority,
    string State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts,
    string? Worker,
    string? FailureReason,
    bool CancelRequested,
    int CheckpointEpoch,
    int? ModelVersion,
    string? WeightsParameterSet)
{
    public static JobResponse From(TrainingJob job) => new(
        job.Id, job.Owner, job.Template, job.TemplateVersion, JsonDocument.Parse(job.Hyperparameters).RootElement.Clone(),
        job.Dataset, job.LabelColumn, job.ModelName, job.Device, job.Priority, job.State, job.CreatedAt, job.StartedAt,
        job.FinishedAt, job.Attempts, job.Worker, job.FailureReason, job.CancelRequested, job.CheckpointEpoch, job.ModelVersion,
        job.WeightsParameterSet);
}

public sealed record ProgressResponse(int Attempt, int Epoch, double Loss, double LearningRate, IReadOnlyDictionary<string, double> Metrics, DateTimeOffset At)
{
    public static ProgressResponse From(JobProgress progress) =>
        new(progress.Attempt, progress.Epoch, progress.Loss, progress.LearningRate, progress.Metrics, progress.At);
}
