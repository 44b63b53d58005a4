namespace NovaBrain.Gateway.Routing;

/// <summary>Bound from the <c>Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Prefix of the service that answers the OpenID Connect, login and callback routes.</summary>
    public const string AuthPrefix = "auth";

    /// <summary>Prefix of the service that answers the inference protocol (<c>/v2/...</c>).</summary>
    public const string ServingPrefix = "serving";

    /// <summary>
    /// Which service answers <c>/api/{prefix}/...</c>: route prefix → the service's name in service
    /// discovery (its AppHost resource name). Configuration adds to or overrides these.
    /// </summary>
    public Dictionary<string, string> Services { get; set; } = new()
    {
        [AuthPrefix] = "auth",
        ["registry"] = "model-registry",
        [ServingPrefix] = "model-serving",
        ["data"] = "data-processing",
        ["training"] = "training",
        ["params"] = "parameters",
        ["monitoring"] = "monitoring",
        ["logging"] = "logging",
    };

    /// <summary>The Open Inference Protocol's gRPC service, answered by model serving.</summary>
    public const string InferenceGrpcService = "inference.GRPCInferenceService";

    /// <summary>
    /// Which service answers each gRPC service, by its full name (<c>/{package}.{Service}/{Method}</c> is forwarded to
    /// that service's HTTP/2 <c>grpc</c> endpoint): full gRPC service name → route prefix of the service.
    /// </summary>
    public Dictionary<string, string> GrpcServices { get; set; } = new()
    {
        [InferenceGrpcService] = ServingPrefix,
        ["novabrain.parameters.v1.ParameterStore"] = "params",
        ["novabrain.registry.v1.ModelRegistry"] = "registry",
        ["novabrain.training.v1.TrainingJobs"] = "training",
    };

    /// <summary>
    /// API paths that answer callers who have not signed in (discovery a sign-in page needs), by the prefix of the
    /// service that serves them. The service itself marks the endpoint anonymous too.
    /// </summary>
    public Dictionary<string, string[]> AnonymousApiPaths { get; set; } = new()
    {
        [AuthPrefix] = ["/api/auth/v1/external-providers"],
    };

    /// <summary>How long the gateway waits for one service's readiness answer.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public GatewayLimits Limits { get; set; } = new();

    public GatewayTimeouts Timeouts { get; set; } = new();

    public DestinationHealthOptions HealthChecks { get; set; } = new();

    /// <summary>The reasons these options cannot run the gateway; empty when they can.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var prefix in new[] { AuthPrefix, ServingPrefix }.Where(prefix => !Services.ContainsKey(prefix)))
        {
            yield return $"Gateway:Services has no '{prefix}' entry.";
        }
        foreach (var (grpcService, prefix) in GrpcServices.Where(entry => !Services.ContainsKey(entry.Value)))
        {
            yield return $"Gateway:GrpcServices:{grpcService} names the prefix '{prefix}', which Gateway:Services does not have.";
        }
        if (Limits.MaxRequestBodyBytes <= 0 || Limits.MaxRequestBodyBytesByPrefix.Values.Any(limit => limit <= 0))
        {
            yield return "Gateway:Limits:MaxRequestBodyBytes and Gateway:Limits:MaxRequestBodyBytesByPrefix must be positive.";
        }
        if (Timeouts.Management <= TimeSpan.Zero || Timeouts.Inference <= TimeSpan.Zero || Timeouts.ByPrefix.Values.Any(timeout => timeout <= TimeSpan.Zero))
        {
            yield return "Gateway:Timeouts:Management, Gateway:Timeouts:Inference and Gateway:Timeouts:ByPrefix must be positive.";
        }
        if (HealthChecks.Interval <= TimeSpan.Zero || HealthChecks.Timeout <= TimeSpan.Zero || HealthChecks.ReactivationPeriod <= TimeSpan.Zero)
        {
            yield return "Gateway:HealthChecks:Interval, Timeout and ReactivationPeriod must be positive.";
        }
    }
}

public sealed class GatewayLimits
{
    /// <summary>Largest request body the gateway forwards; larger ones are refused with 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>
    /// Larger (or smaller) limits for the <c>/api/{prefix}/...</c> routes (and gRPC services) of some services: the
    /// parameter service takes blobs of up to 50 GiB, the registry model files of up to 2 GiB with their metadata; each
    /// checks its own limit too.
    /// </summary>
    public Dictionary<string, long> MaxRequestBodyBytesByPrefix { get; set; } = new()
    {
        ["params"] = 50L * 1024 * 1024 * 1024,
        ["registry"] = 2L * 1024 * 1024 * 1024 + 1024 * 1024,
    };

    public long MaxRequestBodyBytesOf(string prefix) => MaxRequestBodyBytesByPrefix.GetValueOrDefault(prefix, MaxRequestBodyBytes);
}

/// <summary>How long a proxied request may take, end to end, before the gateway answers 504.</summary>
public sealed class GatewayTimeouts
{
    public TimeSpan Management { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan Inference { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Other timeouts for the <c>/api/{prefix}/...</c> routes of some services: blob transfers take long, and so do
    /// model uploads, which the registry validates before it answers, and a training job's event streams (server-sent
    /// events and gRPC WatchJob), which last until the job has finished.
    /// </summary>
    public Dictionary<string, TimeSpan> ByPrefix { get; set; } = new()
    {
        ["params"] = TimeSpan.FromHours(1),
        ["registry"] = TimeSpan.FromMinutes(30),
        ["training"] = TimeSpan.FromHours(1),
    };

    public TimeSpan Of(string prefix) => ByPrefix.GetValueOrDefault(prefix, Management);
}

/// <summary>How the gateway decides which of a service's endpoints may take requests.</summary>
public sealed class DestinationHealthOptions
{
    /// <summary>How often each endpoint's <c>/health/ready</c> is probed.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an endpoint that failed too many forwarded requests stays out of rotation. Short, so a
    /// restarted service is back in seconds even when it is the only endpoint.
    /// </summary>
    public TimeSpan ReactivationPeriod { get; set; } = TimeSpan.FromSeconds(10);
}
