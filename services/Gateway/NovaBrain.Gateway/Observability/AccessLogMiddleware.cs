using System.Diagnostics;
using Microsoft.AspNetCore.Routing;
using Yarp.ReverseProxy.Model;

namespace NovaBrain.Gateway.Observability;

/// <summary>
/// One log line per request: who (see <see cref="CallerIdentity"/>), which route, method, path without its query
/// string, status and latency. Headers are never logged, so neither are tokens nor API keys. Probes and scrapes are
/// left out, as they are from the traces: they would drown the requests people look for.
/// </summary>
public sealed partial class AccessLogMiddleware(RequestDelegate next, ILogger<AccessLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/health") || request.Path.StartsWithSegments("/metrics"))
        {
            await next(context);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            LogRequest(
                CallerIdentity.Of(context.User) ?? "anonymous",
                RouteOf(context.GetEndpoint()),
                request.Method,
                (request.PathBase + request.Path).Value ?? "/",
                context.Response.StatusCode,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
        }
    }

    private static string RouteOf(Endpoint? endpoint) => endpoint switch
    {
        null => "none",
        _ when endpoint.Metadata.GetMetadata<RouteModel>() is { } proxyRoute => proxyRoute.Config.RouteId,
        RouteEndpoint { RoutePattern.RawText: { } pattern } => pattern,
        _ => endpoint.DisplayName ?? "unnamed",
    };

    [LoggerMessage(Level = LogLevel.Information,
        Message = "{Principal} {Method} {Path} via {Route}: {StatusCode} in {ElapsedMs} ms")]
    private partial void LogRequest(string principal, string route, string method, string path, int statusCode, double elapsedMs);
}
