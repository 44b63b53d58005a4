using NovaBrain.ModelServing.Batching;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Infrastructure;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>A deployment as a client writes it: only <see cref="Name"/> and <see cref="Model"/> are needed.</summary>
/// <param name="Name">The deployment's name, which is the model name of the inference protocol.</param>
/// <param name="Model">A registry reference: <c>models:/name/3</c>, <c>models:/name@alias</c> or <c>models:/name/Stage</c>.</param>
/// <param name="Instances">Engine instances running side by side (1 by default).</param>
public sealed record DeploymentRequest(
    string? Name, string? Model, int? Instances = null, EngineRequest? Engine = null, BatchingRequest? Batching = null, SamplingRequest? Sampling = null);

/// <param name="Providers">Execution providers in order of preference: <c>TensorRT</c>, <c>CUDA</c>, <c>CPU</c> (CUDA then CPU by default).</param>
/// <param name="RequireProvider">Fail the deployment rather than fall back when the first provider cannot run the model.</param>
/// <param name="DeviceId">The GPU to use.</param>
/// <param name="Fp16">Let TensorRT build half-precision engines.</param>
public sealed record EngineRequest(string[]? Providers = null, bool? RequireProvider = null, int? DeviceId = null, bool? Fp16 = null);

/// <param name="MaxBatchSize">The most rows one execution runs (32 by default); 0 or 1 runs every request alone.</param>
/// <param name="PreferredBatchSizes">Batch sizes sent at once, without waiting for more requests.</param>
/// <param name="MaxQueueDelayMicroseconds">How long the oldest request may wait for others to join its batch (0 by default).</param>
/// <param name="MaxQueueSize">Requests that may wait (1024 by default); beyond it requests are refused with 429. 0 is unbounded.</param>
/// <param name="TimeoutMicroseconds">How long a request may wait in the queue before it is refused; unlimited by default.</param>
/// <param name="PriorityLevels">Priority levels requests may name with the <c>priority</c> parameter, 1 the highest (1 by default).</param>
/// <param name="DefaultPriorityLevel">The level of requests that name none (1 by default).</param>
public sealed record BatchingRequest(
    int? MaxBatchSize = null, int[]? PreferredBatchSizes = null, int? MaxQueueDelayMicroseconds = null, int? MaxQueueSize = null, long? TimeoutMicroseconds = null,
    int? PriorityLevels = null, int? DefaultPriorityLevel = null);

/// <param name="Rate">The share of requests (0 to 1) whose inputs and outputs are published for drift monitoring; the service's rate by default.</param>
public sealed record SamplingRequest(double? Rate = null);

public static class DeploymentSpecs
{
    /// <summary>
    /// The spec a request asks for: each setting it leaves out is taken from <paramref name="baseline"/> (the deployment's
    /// current spec, for an update) or else from the configured defaults. Returns the problems instead when there are any.
    /// </summary>
    public static (DeploymentSpec? Spec, IReadOnlyList<string> Problems) Build(
        DeploymentRequest request, string name, DeploymentSpec? baseline, ServingOptions options, string tensorRtCacheFolder)
    {
        var problems = new List<string>();
        var defaults = options.Defaults;
        if (!DeploymentNames.IsValid(name))
        {
            problems.Add($"'{name}' is not a deployment name: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        }

        var model = request.Model ?? baseline?.Model;
        if (!ModelReferences.IsWellFormed(model))
        {
            problems.Add($"'{model}' is not a model reference: models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/<Stage>.");
        }

        var providerNames = request.Engine?.Providers;
        var providers = new List<ExecutionProvider>();
        foreach (var providerName in providerNames ?? [])
        {
            if (ExecutionProviders.TryParse(providerName, out var provider))
            {
                providers.Add(provider);
            }
            else
            {
                problems.Add($"'{providerName}' is not an execution provider: TensorRT, CUDA or CPU.");
            }
        }
        if (providerNames is { Length: 0 })
        {
            problems.Add("At least one execution provider is needed.");
        }
        IReadOnlyList<ExecutionProvider> chosen = providerNames is null
            ? baseline?.Engine.Providers ?? defaults.Providers.Select(ParseDefault).ToArray()
            : providers;

        var instances = request.Instances ?? baseline?.Instances ?? defaults.Instances;
        Check(problems, instances is >= 1 and <= 64, "instances must be between 1 and 64.");

        var batching = request.Batching;
        var maxBatchSize = batching?.MaxBatchSize ?? baseline?.Batching.MaxBatchSize ?? defaults.MaxBatchSize;
        Check(problems, maxBatchSize is >= 0 and <= 65536, "batching.maxBatchSize must be between 0 and 65536.");
        var preferred = batching?.PreferredBatchSizes ?? baseline?.Batching.PreferredBatchSizes ?? [];
        Check(problems, preferred.All(size => size >= 1 && size <= maxBatchSize), "batching.preferredBatchSizes must lie between 1 and maxBatchSize.");
        var delay = batching?.MaxQueueDelayMicroseconds is { } delayMicroseconds
            ? TimeSpan.FromMicroseconds(delayMicroseconds)
            : baseline?.Batching.MaxQueueDelay ?? TimeSpan.FromMicroseconds(defaults.MaxQueueDelayMicroseconds);
        Check(problems, delay >= TimeSpan.Zero && delay <= TimeSpan.FromSeconds(60), "batching.maxQueueDelayMicroseconds must be between 0 and 60000000.");
        var queueSize = batching?.MaxQueueSize ?? baseline?.Batching.MaxQueueSize ?? defaults.MaxQueueSize;
        Check(problems, queueSize is >= 0 and <= 1_000_000, "batching.maxQueueSize must be between 0 and 1000000.");
        var timeout = batching?.TimeoutMicroseconds is { } timeoutMicroseconds
            ? TimeSpan.FromMicroseconds(timeoutMicroseconds)
            : baseline?.Batching.DefaultTimeout;
        Check(problems, timeout is null || timeout > TimeSpan.Zero, "batching.timeoutMicroseconds must be positive.");
        var priorityLevels = batching?.PriorityLevels ?? baseline?.Batching.PriorityLevels ?? 1;
        Check(problems, priorityLevels is >= 1 and <= 16, "batching.priorityLevels must be between 1 and 16.");
        var defaultPriority = batching?.DefaultPriorityLevel ?? baseline?.Batching.DefaultPriorityLevel ?? 1;
        Check(problems, defaultPriority >= 1 && defaultPriority <= priorityLevels, "batching.defaultPriorityLevel must be between 1 and priorityLevels.");

        var engine = new EngineSettings(
            chosen,
            request.Engine?.RequireProvider ?? baseline?.Engine.RequireProvider ?? false,
            request.Engine?.DeviceId ?? baseline?.Engine.DeviceId ?? 0,
            request.Engine?.Fp16 ?? baseline?.Engine.Fp16 ?? false,
            tensorRtCacheFolder);
        Check(problems, engine.DeviceId >= 0, "engine.deviceId must not be negative.");
        var samplingRate = request.Sampling?.Rate ?? baseline?.SamplingRate;
        Check(problems, samplingRate is null or (>= 0 and <= 1), "sampling.rate must be between 0 and 1.");

        return problems.Count > 0
            ? (null, problems)
            : (new DeploymentSpec(name, model!, engine, instances, new BatchingSettings(maxBatchSize, preferred, delay, queueSize, timeout, priorityLevels, defaultPriority), samplingRate), problems);
    }

    private static ExecutionProvider ParseDefault(string name) => ExecutionProviders.TryParse(name, out var provider)
        ? provider
        : throw new InvalidOperationException($"ModelServing:Defaults:Providers names '{name}', which is not TensorRT, CUDA or CPU.");

    private static void Check(List<string> problems, bool condition, string problem)
    {
        if (!condition)
        {
            problems.Add(problem);
        }
    }
}
