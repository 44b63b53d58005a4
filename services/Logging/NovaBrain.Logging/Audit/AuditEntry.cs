namespace NovaBrain.Logging.Audit;

/// <summary>
/// One thing that happened on the platform, as another service announced it. The event id is unique,
/// so an event delivered twice is recorded once.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public Guid EventId { get; set; }

    public required string EventName { get; set; }

    /// <summary>What the event is about, as <c>kind:identifier</c> (e.g. <c>model:churn</c>).</summary>
    public required string Subject { get; set; }

    /// <summary>Who caused it (a <c>sub</c>); null when nobody was signed in, as for a failed sign-in.</summary>
    public string? Actor { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>The trace of the request that caused the event, to find it in the dashboard.</summary>
    public string? TraceId { get; set; }

    public required string Payload { get; set; }
}
