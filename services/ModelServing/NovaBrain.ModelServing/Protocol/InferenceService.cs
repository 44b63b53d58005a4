using System.Reflection;
using Microsoft.Extensions.Options;
using NovaBrain.ModelServing.Batching;
using NovaBrain.ModelServing.Deployments;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;
using NovaBrain.ModelServing.Metrics;
using NovaBrain.ModelServing.Sampling;

namespace NovaBrain.ModelServing.Protocol;

/// <summary>The Open Inference Protocol's operations over the deployments, shared by the REST and gRPC front ends.</summary>
public sealed class InferenceService(DeploymentManager deployments, ArtifactCache cache, InferenceSampler sampler, IOptions<ServingOptions> options)
{
    public const string ServerName = "novabrain";

    /// <summary>The protocol extensions served (Triton's names); of schedule_policy only the <c>timeout</c> parameter is, so it is not claimed.</summary>
    public static readonly IReadOnlyList<string> Extensions = ["binary_tensor_data", "statistics", "model_repository"];

    public static string ServerVersion { get; } =
        typeof(InferenceService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>
    /// The served version <paramref name="version"/> of <paramref name="model"/> (the primary or a canary), or the primary
    /// when no version is named.
    /// </summary>
    /// <exception cref="InferenceException">Unknown model or version (404), or not ready (503).</exception>
    public ServedModel Serving(string model, string? version) => Serving(model, version, route: false);

    /// <summary>All versions of <paramref name="model"/> that serve requests: the primary, then a canary.</summary>
    public IReadOnlyList<ServedModel> Versions(string model)
    {
        var deployment = deployments.Find(model) ?? throw InferenceException.UnknownModel(model);
        return new[] { deployment.Current, deployment.CanaryVersion }.OfType<ServedModel>().ToArray();
    }

    private ServedModel Serving(string model, string? version, bool route)
    {
        var deployment = deployments.Find(model) ?? throw InferenceException.UnknownModel(model);
        if (!string.IsNullOrEmpty(version))
        {
            return new[] { deployment.Current, deployment.CanaryVersion }.FirstOrDefault(served => served?.Version == version)
                ?? (deployment.Current is null && deployment.CanaryVersion is null
                    ? throw InferenceException.NotReady(model, deployment.Read(d => d.Reason ?? d.State.ToString()))
                    : throw InferenceException.UnknownVersion(model, version));
        }
        return (route ? deployment.Route() : deployment.Current)
            ?? throw InferenceException.NotReady(model, deployment.Read(d => d.Reason ?? d.State.ToString()));
    }

    /// <summary>Whether the model (and version, when given) is ready; unknown models are 404 errors, not "not ready".</summary>
    public bool IsReady(string model, string? version)
    {
        var deployment = deployments.Find(model) ?? throw InferenceException.UnknownModel(model);
        return string.IsNullOrEmpty(version)
            ? deployment.Current is not null
            : new[] { deployment.Current, deployment.CanaryVersion }.Any(served => served?.Version == version);
    }

    /// <summary>
    /// Queues the request on the model's current version and waits for its outputs. A request that meets a version
    /// being retired by a rolling update goes to the version that replaced it, so no request fails during a switch.
    /// </summary>
    public async Task<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken aborted)
    {
        while (true)
        {
            var served = Serving(request.Model, request.Version, route: true);
            var work = served.CreateWork(request, aborted);
            switch (served.Submit(work))
            {
                case SubmitResult.Queued:
                    try
                    {
                        var outputs = await work.Result.WaitAsync(aborted);
                        sampler.Offer(served, request, outputs);
                        return new InferenceResponse(served.Name, served.Version, request.Id, outputs);
                    }
                    catch (OperationCanceledException) when (aborted.IsCancellationRequested)
                    {
                        throw new InferenceException(InferenceError.Cancelled, "The request was cancelled by its caller.");
                    }
                case SubmitResult.QueueFull:
                    throw new InferenceException(InferenceError.ResourceExhausted,
                        $"The queue of model '{served.Name}' is full ({served.Batching.MaxQueueSize} requests); retry later.");
                default:
                    // Retired between lookup and submit: the deployment's current version is another one by now.
                    if (deployments.Find(request.Model) is not { } deployment ||
                        ReferenceEquals(deployment.Current, served) || ReferenceEquals(deployment.CanaryVersion, served))
                    {
                        throw InferenceException.NotReady(request.Model, "unloading");
                    }
                    continue;
            }
        }
    }

    /// <summary>Statistics of every served model, or of one model (and version).</summary>
    public IReadOnlyList<ModelStatistics> Statistics(string? model, string? version)
    {
        if (string.IsNullOrEmpty(model))
        {
            return deployments.List()
                .SelectMany(deployment => new[] { deployment.Current, deployment.CanaryVersion }.OfType<ServedModel>())
                .Select(served => served.Statistics)
                .ToArray();
        }
        return string.IsNullOrEmpty(version) ? Versions(model).Select(served => served.Statistics).ToArray() : [Serving(model, version).Statistics];
    }

    /// <summary>Every deployment with its version and state (READY, LOADING, UNAVAILABLE), optionally only ready ones.</summary>
    public IReadOnlyList<RepositoryEntry> Index(bool readyOnly) => deployments.List()
        .Select(deployment => deployment.Read(d => new RepositoryEntry(
            d.Name,
            d.Current?.Version,
            d.Current is not null ? "READY" : d.State == DeploymentState.Loading ? "LOADING" : "UNAVAILABLE",
            d.Current is not null ? "" : d.Reason ?? "")))
        .Where(entry => !readyOnly || entry.State == "READY")
        .ToArray();

    /// <summary>
    /// Loads a model and waits until it is ready: a deployment of that name is reloaded (its reference resolved again,
    /// rolling), otherwise one is created for <paramref name="reference"/>, by default the model's Production version.
    /// </summary>
    public async Task LoadAsync(string model, string? reference, CancellationToken cancellationToken)
    {
        var existing = deployments.Find(model);
        var request = new DeploymentRequest(model, reference ?? (existing is null ? $"models:/{model}/Production" : null));
        var (spec, problems) = DeploymentSpecs.Build(request, model, existing?.Spec, options.Value, TensorRtCacheFolder);
        if (spec is null)
        {
            throw InferenceException.BadInput(string.Join(" ", problems));
        }

        Task settled;
        Deployment deployment;
        if (existing is not null)
        {
            (deployment, settled) = (existing, deployments.Update(existing, spec));
        }
        else if (deployments.Create(spec) is { } created)
        {
            (deployment, settled) = created;
        }
        else
        {
            throw InferenceException.BadInput($"model '{model}' is being deployed by another call");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.LoadWaitTimeout);
        await settled.WaitAsync(timeout.Token);
        var failure = deployment.Read(d => d.Update is { State: DeploymentState.Failed } update ? update.Reason : d.Current is null ? d.Reason : null);
        if (failure is not null)
        {
            throw InferenceException.BadInput($"failed to load '{model}': {failure}");
        }
    }

    public async Task UnloadAsync(string model)
    {
        if (!await deployments.DeleteAsync(model))
        {
            throw InferenceException.UnknownModel(model);
        }
    }

    public string TensorRtCacheFolder => Path.Combine(cache.Root, "tensorrt");
}

/// <summary>An entry of the repository index.</summary>
public sealed record RepositoryEntry(string Name, string? Version, string State, string Reason);
