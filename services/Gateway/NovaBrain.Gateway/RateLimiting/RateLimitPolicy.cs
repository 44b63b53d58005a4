using NovaBrain.Gateway.Routing;
using Microsoft.AspNetCore.RateLimiting;
using Yarp.ReverseProxy.Model;

namespace NovaBrain.Gateway.RateLimiting;

/// <summary>The limit a request counts against, and whose count it is.</summary>
public sealed record RateLimitPolicy(string Name, int PermitLimit, int WindowSeconds)
{
    public const string Inference = "inference";
    public const string Management = "management";
    public const string Anonymous = "anonymous";

    /// <summary>
    /// The policy and partition of a request, or <see langword="null"/> when it is not limited: only proxied requests
    /// are, since the gateway's own endpoints (health, metrics, the docs UI) are cheap and must stay reachable, and
    /// routes may opt out (the OpenAPI documents do).
    /// </summary>
    public static (RateLimitPolicy Policy, string Partition)? For(HttpContext context, RateLimitOptions options)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<RouteModel>() is null || endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null)
        {
            return null;
        }

        var caller = CallerIdentity.Of(context.User);
        var partition = caller ?? $"ip:{context.Connection.RemoteIpAddress}";
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return (new(Anonymous, options.Anonymous.PermitLimit, options.Anonymous.WindowSeconds), partition);
        }
        return IsInference(context.Request.Path)
            ? (new(Inference, options.Inference.PermitLimit, options.Inference.WindowSeconds), partition)
            : (new(Management, options.Management.PermitLimit, options.Management.WindowSeconds), partition);
    }

    private static bool IsInference(PathString path)
    {
        if (path.StartsWithSegments("/v2") || path.StartsWithSegments("/" + GatewayOptions.InferenceGrpcService))
        {
            return true;
        }
        var value = path.Value.AsSpan();
        foreach (var segment in value.Split('/'))
        {
            if (value[segment].Equals("infer", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
