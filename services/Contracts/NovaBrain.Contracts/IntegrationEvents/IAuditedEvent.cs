namespace NovaBrain.Contracts.IntegrationEvents;

/// <summary>An event the audit trail keeps: what it is about and who caused it.</summary>
public interface IAuditedEvent
{
    /// <summary>What the event is about, as <c>kind:identifier</c> (e.g. <c>user:alice</c>).</summary>
    string AuditSubject { get; }

    /// <summary>The principal (<c>sub</c>) who caused it; null when nobody was signed in (a failed login).</summary>
    string? Actor { get; }
}
