using System.Text.Json.Serialization;
using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents;

/// <summary>
/// The model registry created a registered model (the name its versions will be filed under);
/// <paramref name="CreatedBy"/> is the caller's <c>sub</c>.
/// </summary>
public sealed record RegisteredModelCreated(Guid ModelId, string Name, string? Description, string? CreatedBy = null)
    : IntegrationEvent, IAuditedEvent
{
    [JsonIgnore] public string AuditSubject => $"model:{Name}";
    [JsonIgnore] public string? Actor => CreatedBy;
}
