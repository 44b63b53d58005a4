namespace NovaBrain.EventBus.Abstractions;

/// <summary>
/// Reacts to one kind of event. A handler may see an event more than once (delivery is at least
/// once), so it must be idempotent, keyed on <see cref="IntegrationEvent.Id"/>. Throwing leaves
/// the event unacknowledged: it is retried once, then dead-lettered.
/// </summary>
public interface IIntegrationEventHandler<in TEvent> : IIntegrationEventHandler where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent @event, CancellationToken cancellationToken);

    Task IIntegrationEventHandler.HandleAsync(IntegrationEvent @event, CancellationToken cancellationToken) =>
        HandleAsync((TEvent)@event, cancellationToken);
}

public interface IIntegrationEventHandler
{
    Task HandleAsync(IntegrationEvent @event, CancellationToken cancellationToken);
}
