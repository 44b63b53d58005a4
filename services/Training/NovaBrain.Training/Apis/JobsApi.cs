using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Security;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;

namespace NovaBrain.Training.Apis;

/// <summary>Training jobs: submit, read, list, cancel, and follow their progress as server-sent events.</summary>
public static class JobsApi
{
    public const int MaxPageSize = 500;
    public const int DefaultPageSize = 100;
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
        SubmitJobRequest request, JobManager jobs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var result = await jobs.SubmitAsync(request, user.FindFirstValue(NovaBrainClaimTypes.Subject)!, cancellationToken);
        return result.Outcome switch
        {
            SubmitOutcome.Queued => TypedResults.Created($"{TemplatesApi.BasePath}/jobs/{result.Job!.Id}", JobResponse.From(result.Job)),
            SubmitOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!),
            SubmitOutcome.DatasetNotFound => Problems.DatasetNotFound(request.Dataset!),
            _ => Problems.QueueUnavailable(result.Job!.Id),
        };
    }

    public static async Task<Results<Ok<List<JobResponse>>, ValidationProblem>> ListJobs(
        TrainingContext context, CancellationToken cancellationToken, string? state = null, int limit = DefaultPageSize, DateTimeOffset? before = null)
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

    /// <summary>
    /// The events of a job, for server-sent events and gRPC alike: a <see cref="JobResponse"/> (<see cref="StateEvent"/>)
    /// whenever the job changes and a <see cref="ProgressResponse"/> (<see cref="ProgressEvent"/>) per epoch, ending
    /// when the job has finished.
    /// </summary>
    public static async IAsyncEnumerable<SseItem<object>> Follow(
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
        string id, JobManager jobs, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var jobId))
        {
            return Problems.InvalidJobId(id);
        }
        var result = await jobs.CancelAsync(jobId, user.FindFirstValue(NovaBrainClaimTypes.Subject)!, cancellationToken);
        return result.Outcome switch
        {
            CancelOutcome.Cancelled => TypedResults.Ok(JobResponse.From(result.Job!)),
            CancelOutcome.NotFound => Problems.JobNotFound(jobId),
            CancelOutcome.NotYours => Problems.NotYourJob(jobId),
            _ => Problems.AlreadyFinished(jobId, result.Job!.State),
        };
    }
}
