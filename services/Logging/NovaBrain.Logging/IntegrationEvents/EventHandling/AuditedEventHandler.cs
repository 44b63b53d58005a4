using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.Logging.Audit;

namespace NovaBrain.Logging.IntegrationEvents.EventHandling;

/// <summary>Records any event that says what it is about and who caused it.</summary>
public sealed class AuditedEventHandler<TEvent>(AuditTrail auditTrail) : IIntegrationEventHandler<TEvent>
    where TEvent : IntegrationEvent, IAuditedEvent
{
    public Task HandleAsync(TEvent @event, CancellationToken cancellationToken) => auditTrail.RecordAsync(@event, cancellationToken);
}
