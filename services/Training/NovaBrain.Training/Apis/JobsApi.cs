using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Security;
using NovaBrain.Training.Clients;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Queue;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Apis;

/// <summary>Training jobs: submit, read, list, cancel, and follow their progress as server-sent events.</summary>
public static partial class JobsApi
{
    public const int MaxPageSize = 500;
    public const string ProgressEvent = "progress";
    public const string StateEvent = "state";

    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{TemplatesApi.BasePath}/jobs").WithTags("Jobs");

        api.MapPost("/", SubmitJob)
            .WithName("SubmitTrainingJob")
            .WithSummary("Submit a training job")
            .WithDescription("Hyperparameters are validated against the template's schema; errors are keyed hyperparameters.<name>.")
            .RequirePermission(Permissions.TrainingSubmit);
        api.MapGet("/", ListJobs)
            .WithName("ListTrainingJobs")
            .WithSummary("Training jobs, newest first")
            .WithDescription("?state= filters; paged with ?limit= (1 to 500) and ?before=<the createdAt of the last job seen>.")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{id}", GetJob)
            .WithName("GetTrainingJob")
            .WithSummary("A training job: its state, timestamps, worker, attempts and result")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{id}/progress", GetProgress)
            .WithName("GetTrainingJobProgress")
            .WithSummary("Every epoch the job's attempts reported, oldest first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapGet("/{id}/events", StreamEvents)
            .WithName("StreamTrainingJobEvents")
            .WithSummary("The job's progress as server-sent events")
            .WithDescription("'state' events carry the job whenever it changes, 'progress' events each epoch; the stream ends when the job has finished.")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPost("/{id}/cancel", CancelJob)
            .WithName("CancelTrainingJob")
            .WithSummary("Cancel one of your jobs")
            .WithDescription("A queued job is cancelled at once; a running one stops at its next heartbeat.")
            .RequirePermission(Permissions.TrainingSubmit);

        return api;
    }

    public static async Task<Results<Created<JobResponse>, ValidationProblem, ProblemHttpResult>> SubmitJob(
        SubmitJobRequest request, [AsParameters] SubmitServices services, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var (context, queue, parameters, time) = (services.Context, services.Queue, services.Parameters, services.Time);
        var (template, hyperparameters, errors) = Validate(request, queue.Options.MaxPriority);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await parameters.BlobExistsAsync(request.Dataset!, cancellationToken))
        {
            return Problems.DatasetNotFound(request.Dataset!);
        }

        var job = new TrainingJob
        {
            Id = Guid.CreateVersion7(),
            Owner = user.FindFirstValue(NovaBrainClaimTypes.Subject)!,
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
            return Problems.QueueUnavailable(job.Id);
        }
        return TypedResults.Created($"{TemplatesApi.BasePath}/jobs/{job.Id}", JobResponse.From(job));
    }

    public static async Task<Results<Ok<List<JobResponse>>, ValidationProblem>> ListJobs(
        TrainingContext context, CancellationToken cancellationToken, string? state = null, int limit = 100, DateTimeOffset? before = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (limit is < 1 or > MaxPageSize)
        {
            errors["limit"] = [$"The limit is from 1 to {MaxPageSize}."];
        }
        string[] states = [JobStates.Queued, JobStates.Running, JobStates.Succeeded, JobStates.Failed, JobStates.Cancelled];
        if (state is not null && !states.Contains(state))
        {
            errors["state"] = [$"The state is one of {string.Join(", ", states)}."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = context.Jobs.AsNoTracking();
        if (state is not null)
        {
            query = query.Where(job => job.State == state);
        }
        if (before is not null)
        {
            query = query.Where(job => job.CreatedAt < before);
        }
        var jobs = await query.OrderByDescending(job => job.CreatedAt).Take(limit).ToListAsync(cancellationToken);
        return TypedResults.Ok(jobs.Select(JobResponse.From).ToList());
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> GetJob(string id, TrainingContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId))
        {
            return Problems.InvalidJobId(id);
        }
        return await context.Jobs.AsNoTracking().SingleOrDefaultAsync(job => job.Id == jobId, cancellationToken) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : Problems.JobNotFound(jobId);
    }

    public static async Task<Results<Ok<List<ProgressResponse>>, ProblemHttpResult>> GetProgress(
        string id, TrainingContext context, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId))
        {
            return Problems.InvalidJobId(id);
        }
        if (!await context.Jobs.AnyAsync(job => job.Id == jobId, cancellationToken))
        {
            return Problems.JobNotFound(jobId);
        }
        var progress = await context.Progress.AsNoTracking().Where(p => p.JobId == jobId).OrderBy(p => p.Id).ToListAsync(cancellationToken);
        return TypedResults.Ok(progress.Select(ProgressResponse.From).ToList());
    }

    public static async Task<Results<ServerSentEventsResult<object>, ProblemHttpResult>> StreamEvents(
        string id, TrainingContext context, IOptions<JobEventsOptions> options, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId))
        {
            return Problems.InvalidJobId(id);
        }
        if (!await context.Jobs.AnyAsync(job => job.Id == jobId, cancellationToken))
        {
            return Problems.JobNotFound(jobId);
        }
        return TypedResults.ServerSentEvents(Follow(jobId, context, options.Value.PollInterval, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<object>> Follow(
        Guid jobId, TrainingContext context, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lastProgress = 0L;
        (string State, int Attempts, int CheckpointEpoch, bool CancelRequested)? lastSeen = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var progress = await context.Progress.AsNoTracking()
                .Where(p => p.JobId == jobId && p.Id > lastProgress).OrderBy(p => p.Id).ToListAsync(cancellationToken);
            foreach (var row in progress)
            {
                lastProgress = row.Id;
                yield return new SseItem<object>(ProgressResponse.From(row), ProgressEvent);
            }
            var job = await context.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, cancellationToken);
            var seen = (job.State, job.Attempts, job.CheckpointEpoch, job.CancelRequested);
            if (seen != lastSeen)
            {
                lastSeen = seen;
                yield return new SseItem<object>(JobResponse.From(job), StateEvent);
            }
            if (JobStates.IsFinal(job.State))
            {
                yield break;
            }
            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    public static async Task<Results<Ok<JobResponse>, ProblemHttpResult>> CancelJob(
        string id, TrainingContext context, TimeProvider time, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId))
        {
            return Problems.InvalidJobId(id);
        }
        if (await context.Jobs.AsNoTracking().SingleOrDefaultAsync(job => job.Id == jobId, cancellationToken) is not { } job)
        {
            return Problems.JobNotFound(jobId);
        }
        if (job.Owner != user.FindFirstValue(NovaBrainClaimTypes.Subject))
        {
            return Problems.NotYourJob(jobId);
        }

        var now = time.GetUtcNow();
        // A queued job is cancelled outright; a running one is flagged and its worker stops it. Both are conditional
        // updates, so a job that a worker claims meanwhile is flagged rather than marked cancelled under its feet.
        await context.Jobs.Where(j => j.Id == jobId && j.State == JobStates.Queued)
            .ExecuteUpdateAsync(j => j
                .SetProperty(x => x.State, JobStates.Cancelled)
                .SetProperty(x => x.CancelRequested, true)
                .SetProperty(x => x.FinishedAt, now), cancellationToken);
        await context.Jobs.Where(j => j.Id == jobId && j.State == JobStates.Running)
            .ExecuteUpdateAsync(j => j.SetProperty(x => x.CancelRequested, true), cancellationToken);

        var updated = await context.Jobs.AsNoTracking().SingleAsync(j => j.Id == jobId, cancellationToken);
        if (updated.State is JobStates.Succeeded or JobStates.Failed)
        {
            return Problems.AlreadyFinished(jobId, updated.State);
        }
        return TypedResults.Ok(JobResponse.From(updated));
    }

    private static (TrainingTemplate? Template, Hyperparameters? Values, Dictionary<string, string[]> Errors) Validate(
        SubmitJobRequest request, int maxPriority)
    {
        var errors = new Dictionary<string, string[]>();
        var template = string.IsNullOrWhiteSpace(request.Template) ? null : BuiltInTemplates.Find(request.Template, request.TemplateVersion);
        if (template is null)
        {
            errors["template"] = [$"The template is one of {string.Join(", ", BuiltInTemplates.All.Select(t => t.Reference))} (templateVersion optional)."];
        }
        if (request.Dataset is null || !DigestPattern().IsMatch(request.Dataset))
        {
            errors["dataset"] = ["The dataset is the digest of a CSV blob in the parameter service, sha256:<64 lowercase hex digits>."];
        }
        if (string.IsNullOrWhiteSpace(request.LabelColumn) || request.LabelColumn.Length > TrainingJob.LabelColumnMaxLength)
        {
            errors["labelColumn"] = [$"The label column is the CSV header of the column to predict, 1 to {TrainingJob.LabelColumnMaxLength} characters."];
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

    /// <summary>What submitting a job needs besides the request.</summary>
    public sealed record SubmitServices(TrainingContext Context, JobQueue Queue, ParametersClient Parameters, TimeProvider Time);

    [GeneratedRegex("^sha256:[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DigestPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelNamePattern();
}
