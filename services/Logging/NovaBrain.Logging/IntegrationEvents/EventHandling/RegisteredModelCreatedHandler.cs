using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.Logging.Audit;

namespace NovaBrain.Logging.IntegrationEvents.EventHandling;

public sealed class RegisteredModelCreatedHandler(AuditTrail auditTrail) : IIntegrationEventHandler<RegisteredModelCreated>
{
    public Task HandleAsync(RegisteredModelCreated @event, CancellationToken cancellationToken) =>
        auditTrail.RecordAsync(@event, $"model:{@event.Name}", cancellationToken);
}
