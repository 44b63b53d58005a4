using System.Text.Json.Serialization;
using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents.Registry;

// The model registry announces what happens to model versions: for the audit trail, and for serving, whose
// deployments follow an alias or a stage. Every event names the caller (`sub`) who caused it.

/// <summary>
/// A new version of <paramref name="Model"/> was registered and validated; its artifact is the parameter-service blob
/// <paramref name="ArtifactDigest"/> (<c>sha256:&lt;hex&gt;</c>) in <paramref name="Format"/> (<c>onnx</c>, <c>torchscript</c>, <c>torchsharp</c>).
/// </summary>
public sealed record ModelVersionRegistered(string Model, int Version, string Format, string ArtifactDigest, string CreatedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"model:{Model}";
    [JsonIgnore] public string? Actor => CreatedBy;
}

/// <summary>A version moved from stage <paramref name="FromStage"/> to <paramref name="ToStage"/> (<c>None</c>, <c>Staging</c>, <c>Production</c>, <c>Archived</c>).</summary>
public sealed record ModelVersionStageChanged(string Model, int Version, string FromStage, string ToStage, string? Reason, string ChangedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"model:{Model}";
    [JsonIgnore] public string? Actor => ChangedBy;
}

/// <summary>
/// An alias (e.g. <c>champion</c>) of <paramref name="Model"/> moved from <paramref name="FromVersion"/> to
/// <paramref name="ToVersion"/>; null from means it was new, null to means it was removed.
/// </summary>
public sealed record ModelAliasMoved(string Model, string Alias, int? FromVersion, int? ToVersion, string? Reason, string MovedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"model:{Model}";
    [JsonIgnore] public string? Actor => MovedBy;
}

/// <summary>A version was deleted (only possible while nothing references it).</summary>
public sealed record ModelVersionDeleted(string Model, int Version, string DeletedBy)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"model:{Model}";
    [JsonIgnore] public string? Actor => DeletedBy;
}
