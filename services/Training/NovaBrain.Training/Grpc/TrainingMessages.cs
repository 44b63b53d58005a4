using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NovaBrain.Training.Apis;
using RestSubmitJobRequest = NovaBrain.Training.Apis.SubmitJobRequest;

namespace NovaBrain.Training.Grpc;

/// <summary>The REST API's records as gRPC messages and back.</summary>
internal static class TrainingMessages
{
    public static RestSubmitJobRequest ToRequest(this SubmitJobRequest request) => new(
        request.Template,
        request.HasTemplateVersion ? request.TemplateVersion : null,
        request.Hyperparameters is { } values
            ? JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonFormatter.Default.Format(values))
            : null,
        request.Dataset,
        request.LabelColumn,
        request.ModelName,
        request.HasDevice ? request.Device : null,
        request.HasPriority ? request.Priority : null);

    public static Job ToMessage(this JobResponse job)
    {
        var message = new Job
        {
            Id = job.Id.ToString(),
            Owner = job.Owner,
            Template = job.Template,
            TemplateVersion = job.TemplateVersion,
            Hyperparameters = JsonParser.Default.Parse<Struct>(job.Hyperparameters.GetRawText()),
            Dataset = job.Dataset,
            LabelColumn = job.LabelColumn,
            ModelName = job.ModelName,
            Device = job.Device,
            Priority = job.Priority,
            State = job.State,
            CreatedAt = Timestamp.FromDateTimeOffset(job.CreatedAt),
            StartedAt = job.StartedAt is { } started ? Timestamp.FromDateTimeOffset(started) : null,
            FinishedAt = job.FinishedAt is { } finished ? Timestamp.FromDateTimeOffset(finished) : null,
            Attempts = job.Attempts,
            CancelRequested = job.CancelRequested,
            CheckpointEpoch = job.CheckpointEpoch,
        };
        if (job.Worker is not null)
        {
            message.Worker = job.Worker;
        }
        if (job.FailureReason is not null)
        {
            message.FailureReason = job.FailureReason;
        }
        if (job.ModelVersion is { } version)
        {
            message.ModelVersion = version;
        }
        if (job.WeightsParameterSet is not null)
        {
            message.WeightsParameterSet = job.WeightsParameterSet;
        }
        return message;
    }

    public static Progress ToMessage(this ProgressResponse progress) => new()
    {
        Attempt = progress.Attempt,
        Epoch = progress.Epoch,
        Loss = progress.Loss,
        LearningRate = progress.LearningRate,
        Metrics = { progress.Metrics.ToDictionary() },
        At = Timestamp.FromDateTimeOffset(progress.At),
    };
}
