using System.Diagnostics;

namespace NovaBrain.EventBus.RabbitMQ;

/// <summary>
/// Trace context crosses the broker as a W3C <c>traceparent</c> message header, so a consumer's work
/// continues the trace of the request that caused the event.
/// </summary>
internal static class EventBusTelemetry
{
    public const string TraceParentHeader = "traceparent";

    public static readonly ActivitySource Source = new("NovaBrain.EventBus");

    public static string? CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id : null;

    public static string? ReadTraceParent(IDictionary<string, object?>? headers) =>
        headers?.TryGetValue(TraceParentHeader, out var value) == true && value is byte[] bytes
            ? System.Text.Encoding.UTF8.GetString(bytes)
            : null;
}
