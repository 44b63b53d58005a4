using System.Buffers;
using System.Diagnostics;

namespace NovaBrain.Gateway.Observability;

/// <summary>
/// Gives every request an <c>X-Correlation-Id</c>: the caller's own when it sent a sane one, else the request's W3C
/// trace id. The id goes back on the response, on to the service (YARP forwards the request's headers), into every
/// log scope of the request and onto its trace. The trace context itself (<c>traceparent</c>) is propagated by YARP's
/// HTTP handler, not here.
/// </summary>
public sealed class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string HeaderName = "X-Correlation-Id";

    private const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");

    public async Task InvokeAsync(HttpContext context)
    {
        var correlationId = context.Request.Headers[HeaderName] is [{ } given] && IsSane(given)
            ? given
            : Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier;

        context.Request.Headers[HeaderName] = correlationId;
        // Set when the response starts, so that a response cleared on the way (by the exception handler) keeps it.
        context.Response.OnStarting(static state =>
        {
            var (response, id) = ((HttpResponse, string))state;
            response.Headers[HeaderName] = id;
            return Task.CompletedTask;
        }, (context.Response, correlationId));
        Activity.Current?.SetTag("novabrain.correlation_id", correlationId);

        using (logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = correlationId }))
        {
            await next(context);
        }
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= MaxLength && !value.AsSpan().ContainsAnyExcept(Allowed);
}
