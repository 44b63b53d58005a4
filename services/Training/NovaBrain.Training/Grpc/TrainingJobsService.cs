using System.Security.Claims;
using Grpc.Core;
using Microsoft.Extensions.Options;
using NovaBrain.Grpc;
using NovaBrain.Security;
using NovaBrain.Training.Apis;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;

namespace NovaBrain.Training.Grpc;

/// <summary>
/// novabrain.training.v1.TrainingJobs: each method calls the REST handler of the same operation, so both APIs apply
/// the same validation, ownership rules and queries; only the shapes differ.
/// </summary>
internal sealed class TrainingJobsService(TrainingContext context, JobManager jobs, IOptions<JobEventsOptions> eventsOptions)
    : TrainingJobs.TrainingJobsBase
{
    [RequirePermission(Permissions.TrainingSubmit)]
    public override async Task<Job> SubmitJob(SubmitJobRequest request, ServerCallContext call)
    {
        var result = await JobsApi.SubmitJob(request.ToRequest(), jobs, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<JobResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<Job> GetJob(GetJobRequest request, ServerCallContext call)
    {
        var result = await JobsApi.GetJob(request.Id, context, call.CancellationToken);
        return RestRpc.ValueOf<JobResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext call)
    {
        var result = await JobsApi.ListJobs(
            context,
            call.CancellationToken,
            request.HasState ? request.State : null,
            request.HasLimit ? request.Limit : JobsApi.DefaultPageSize,
            request.Before?.ToDateTimeOffset());
        return new ListJobsResponse { Jobs = { RestRpc.ValueOf<List<JobResponse>>(result.Result).Select(job => job.ToMessage()) } };
    }

    [RequirePermission(Permissions.TrainingSubmit)]
    public override async Task<Job> CancelJob(CancelJobRequest request, ServerCallContext call)
    {
        var result = await JobsApi.CancelJob(request.Id, jobs, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<JobResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responses, ServerCallContext call)
    {
        var job = RestRpc.ValueOf<JobResponse>((await JobsApi.GetJob(request.Id, context, call.CancellationToken)).Result);
        await foreach (var item in JobsApi.Follow(job.Id, context, eventsOptions.Value.PollInterval, call.CancellationToken))
        {
            var message = item.Data switch
            {
                JobResponse changed => new JobEvent { State = changed.ToMessage() },
                ProgressResponse progress => new JobEvent { Progress = progress.ToMessage() },
                var other => throw new InvalidOperationException($"A job's events are jobs and progress, not {other.GetType().Name}."),
            };
            await responses.WriteAsync(message, call.CancellationToken);
        }
    }

    private static ClaimsPrincipal Caller(ServerCallContext call) => call.GetHttpContext().User;
}
