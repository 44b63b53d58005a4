using System.Text.Json.Serialization;
using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents.Parameters;

// The parameter service announces every new parameter-set version and every move of a set's `current` pointer,
// for the audit trail and for whoever serves the current parameters.

/// <summary>
/// A parameter set got a new, immutable version pointing at <paramref name="Blob"/> (<c>sha256:&lt;hex&gt;</c>);
/// <paramref name="CreatedBy"/> is the caller's <c>sub</c>.
/// </summary>
public sealed record ParameterSetVersionCreated(string Name, int Version, string Blob, string Format, string CreatedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"params:{Name}";
    [JsonIgnore] public string? Actor => CreatedBy;
}

/// <summary>
/// A parameter set's <c>current</c> pointer moved from <paramref name="FromVersion"/> (null when the set's first
/// version became current) to <paramref name="ToVersion"/>; rollbacks are moves too.
/// </summary>
public sealed record ParameterSetCurrentMoved(string Name, int? FromVersion, int ToVersion, string? Reason, string MovedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"params:{Name}";
    [JsonIgnore] public string? Actor => MovedBy;
}
