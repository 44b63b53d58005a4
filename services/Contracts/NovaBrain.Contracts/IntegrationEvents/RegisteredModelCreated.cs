using NovaBrain.EventBus.Abstractions;

namespace NovaBrain.Contracts.IntegrationEvents;

/// <summary>The model registry created a registered model (the name its versions will be filed under).</summary>
public sealed record RegisteredModelCreated(Guid ModelId, string Name, string? Description) : IntegrationEvent;
