using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NovaBrain.ModelServing.Deployments;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Protocol;
using NovaBrain.Security;

namespace NovaBrain.ModelServing.Apis;

/// <summary>
/// Deployments: which registry model version is served under which protocol model name, on which providers, with which
/// batching. Loads are asynchronous: a created or updated deployment answers 202 and reports its progress in its status.
/// </summary>
public static class DeploymentsApi
{
    public const string BasePath = "/api/serving/v1/deployments";

    public static RouteGroupBuilder MapDeploymentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(BasePath).WithTags("Deployments").RequirePermission(Permissions.DeploymentsManage);

        api.MapPost("/", Create)
            .WithName("CreateDeployment")
            .WithSummary("Deploy a registry model version")
            .WithDescription("Answers 202 at once; the version is resolved, fetched, loaded and warmed up in the background, and the deployment is ready once its status says so.");
        api.MapGet("/", List).WithName("ListDeployments").WithSummary("Every deployment with its status");
        api.MapGet("/{name}", Get).WithName("GetDeployment").WithSummary("A deployment's status, provider and version");
        api.MapPut("/{name}", Update)
            .WithName("UpdateDeployment")
            .WithSummary("Roll a deployment to another model version or settings")
            .WithDescription("Settings left out keep their current values. The new version is loaded and warmed up beside the serving one, switched to atomically, and the old one unloaded once its requests are done; a failed update leaves the old version serving.");
        api.MapDelete("/{name}", Delete).WithName("DeleteDeployment").WithSummary("Unload a deployment and free its memory");
        api.MapPut("/{name}/canary", SetCanary)
            .WithName("SetDeploymentCanary")
            .WithSummary("Send a share of requests to another version")
            .WithDescription("With a model, loads and warms it up as the canary (replacing any other; 202) and then sends it 'percent' of the requests that name no version; without one, changes the share of the canary there is (200). Settings left out are the primary's.");
        api.MapPost("/{name}/canary/promote", PromoteCanary)
            .WithName("PromoteDeploymentCanary")
            .WithSummary("Make the canary the primary version")
            .WithDescription("Switches atomically; the old primary is unloaded once its requests are done.");
        api.MapDelete("/{name}/canary", AbortCanary).WithName("AbortDeploymentCanary").WithSummary("Stop the canary and unload it");

        return api;
    }

    public static Results<Accepted<DeploymentResponse>, ProblemHttpResult> Create(DeploymentRequest request, [AsParameters] DeploymentServices services)
    {
        var (spec, problems) = services.Build(request, request.Name ?? "", baseline: null);
        if (spec is null)
        {
            return Problems.InvalidDeployment(problems);
        }
        if (services.Deployments.Create(spec) is not { } created)
        {
            return Problems.DeploymentExists(spec.Name);
        }
        return TypedResults.Accepted($"{BasePath}/{spec.Name}", DeploymentResponse.From(created.Deployment));
    }

    public static Ok<DeploymentResponse[]> List(DeploymentManager deployments) =>
        TypedResults.Ok(deployments.List().Select(DeploymentResponse.From).ToArray());

    public static Results<Ok<DeploymentResponse>, ProblemHttpResult> Get(string name, DeploymentManager deployments) =>
        deployments.Find(name) is { } deployment ? TypedResults.Ok(DeploymentResponse.From(deployment)) : Problems.DeploymentNotFound(name);

    public static Results<Accepted<DeploymentResponse>, ProblemHttpResult> Update(string name, DeploymentRequest request, [AsParameters] DeploymentServices services)
    {
        if (services.Deployments.Find(name) is not { } deployment)
        {
            return Problems.DeploymentNotFound(name);
        }
        if (request.Name is { } renamed && renamed != name)
        {
            return Problems.InvalidDeployment([$"A deployment cannot be renamed ('{name}' to '{renamed}'); create another one."]);
        }
        var (spec, problems) = services.Build(request, name, deployment.Read(d => d.Spec));
        if (spec is null)
        {
            return Problems.InvalidDeployment(problems);
        }
        _ = services.Deployments.Update(deployment, spec);
        return TypedResults.Accepted($"{BasePath}/{name}", DeploymentResponse.From(deployment));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string name, DeploymentManager deployments) =>
        await deployments.DeleteAsync(name) ? TypedResults.NoContent() : Problems.DeploymentNotFound(name);

    public static Results<Accepted<DeploymentResponse>, Ok<DeploymentResponse>, ProblemHttpResult> SetCanary(
        string name, CanaryRequest request, [AsParameters] DeploymentServices services)
    {
        if (services.Deployments.Find(name) is not { } deployment)
        {
            return Problems.DeploymentNotFound(name);
        }
        if (request.Percent is not (>= 0 and <= 100) and not null)
        {
            return Problems.InvalidDeployment(["percent must be between 0 and 100."]);
        }
        if (request.Model is null)
        {
            return request.Percent is { } percent && services.Deployments.SetCanaryPercent(deployment, percent)
                ? TypedResults.Ok(DeploymentResponse.From(deployment))
                : Problems.InvalidDeployment(["Name the canary's model (and its percent), or give the percent of the canary there is."]);
        }

        var (spec, problems) = services.Build(
            new DeploymentRequest(name, request.Model, request.Instances, request.Engine, request.Batching), name, deployment.Read(d => d.Spec));
        if (spec is null)
        {
            return Problems.InvalidDeployment(problems);
        }
        _ = services.Deployments.StartCanary(deployment, spec, request.Percent ?? CanaryRequest.DefaultPercent);
        return TypedResults.Accepted($"{BasePath}/{name}", DeploymentResponse.From(deployment));
    }

    public static async Task<Results<Ok<DeploymentResponse>, ProblemHttpResult>> PromoteCanary(string name, DeploymentManager deployments)
    {
        if (deployments.Find(name) is not { } deployment)
        {
            return Problems.DeploymentNotFound(name);
        }
        return await deployments.PromoteCanaryAsync(deployment)
            ? TypedResults.Ok(DeploymentResponse.From(deployment))
            : Problems.NoReadyCanary(name);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> AbortCanary(string name, DeploymentManager deployments)
    {
        if (deployments.Find(name) is not { } deployment)
        {
            return Problems.DeploymentNotFound(name);
        }
        return await deployments.AbortCanaryAsync(deployment) ? TypedResults.NoContent() : Problems.CanaryNotFound(name);
    }
}

/// <summary>A canary: the model it serves (settings left out are the primary's) and the share of requests it takes.</summary>
/// <param name="Percent">0 to 100; 10 by default.</param>
public sealed record CanaryRequest(string? Model, int? Percent, int? Instances = null, EngineRequest? Engine = null, BatchingRequest? Batching = null)
{
    public const int DefaultPercent = 10;
}

/// <summary>What the deployment endpoints need besides the request.</summary>
public sealed record DeploymentServices(DeploymentManager Deployments, InferenceService Inference, IOptions<ServingOptions> Options)
{
    public (DeploymentSpec? Spec, IReadOnlyList<string> Problems) Build(DeploymentRequest request, string name, DeploymentSpec? baseline) =>
        DeploymentSpecs.Build(request, name, baseline, Options.Value, Inference.TensorRtCacheFolder);
}

/// <summary>A deployment's status: <c>state</c> Loading, Ready or Failed (with a reason), what it serves and on which provider.</summary>
public sealed record DeploymentResponse(
    string Name,
    string Model,
    string State,
    bool Ready,
    string? Reason,
    ServingVersion? Serving,
    UpdateStatus? Update,
    CanaryStatus? Canary,
    int Instances,
    EngineStatus Engine,
    BatchingStatus Batching,
    SamplingStatus Sampling,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static DeploymentResponse From(Deployment deployment) => deployment.Read(d =>
    {
        var served = d.Current;
        return new DeploymentResponse(
            d.Name,
            d.Spec.Model,
            d.State.ToString(),
            served is not null,
            d.Reason,
            served is null ? null : new ServingVersion(served.Source.Model, served.Source.Version, served.Source.Reference, served.Source.Artifact.Digest, served.Provider, served.Platform, served.Threads),
            d.Update is { } update ? new UpdateStatus(update.Spec.Model, update.State.ToString(), update.Reason) : null,
            d.Canary is { } canary ? new CanaryStatus(canary.Spec.Model, canary.Percent, canary.State.ToString(), canary.Reason, d.CanaryVersion?.Source.Version) : null,
            d.Spec.Instances,
            new EngineStatus(d.Spec.Engine.Providers.Select(provider => provider.ToString()).ToArray(), d.Spec.Engine.RequireProvider, d.Spec.Engine.DeviceId, d.Spec.Engine.Fp16),
            new BatchingStatus(
                d.Spec.Batching.MaxBatchSize,
                d.Spec.Batching.PreferredBatchSizes,
                (long)d.Spec.Batching.MaxQueueDelay.TotalMicroseconds,
                d.Spec.Batching.MaxQueueSize,
                d.Spec.Batching.DefaultTimeout is { } timeout ? (long)timeout.TotalMicroseconds : null,
                d.Spec.Batching.PriorityLevels,
                d.Spec.Batching.DefaultPriorityLevel),
            new SamplingStatus(d.Spec.SamplingRate),
            d.CreatedAt,
            d.UpdatedAt);
    });
}

/// <summary>
/// The model version serving requests: registry model and version, the artifact, the execution provider running it and
/// the CPU threads a run may use.
/// </summary>
public sealed record ServingVersion(string Model, int Version, string Reference, string Digest, string Provider, string Platform, EngineThreads Threads);

public sealed record UpdateStatus(string Model, string State, string? Reason);

/// <summary>A canary beside the primary version: what it serves, its share of requests, and whether it is loaded.</summary>
public sealed record CanaryStatus(string Model, int Percent, string State, string? Reason, int? Version);

public sealed record EngineStatus(IReadOnlyList<string> Providers, bool RequireProvider, int DeviceId, bool Fp16);

/// <summary>The deployment's own drift-sampling rate; null when it samples at the service's configured rate.</summary>
public sealed record SamplingStatus(double? Rate);

public sealed record BatchingStatus(
    int MaxBatchSize, IReadOnlyList<int> PreferredBatchSizes, long MaxQueueDelayMicroseconds, int MaxQueueSize, long? TimeoutMicroseconds,
    int PriorityLevels, int DefaultPriorityLevel);
