namespace NovaBrain.Gateway.Routing;

/// <summary>Bound from the <c>Gateway</c> configuration section.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>
    /// Which service answers <c>/api/{prefix}/...</c>: route prefix → the service's name in service
    /// discovery (its AppHost resource name). Configuration adds to or overrides these.
    /// </summary>
    public Dictionary<string, string> Services { get; set; } = new()
    {
        ["auth"] = "auth",
        ["registry"] = "model-registry",
        ["serving"] = "model-serving",
        ["data"] = "data-processing",
        ["training"] = "training",
        ["params"] = "parameters",
        ["monitoring"] = "monitoring",
        ["logging"] = "logging",
    };

    /// <summary>How long the gateway waits for one service's readiness answer.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
