namespace NovaBrain.EventBus.Abstractions;

/// <summary>Publishes integration events; knows nothing of the broker behind it.</summary>
public interface IEventBus
{
    /// <summary>Completes once the broker has taken responsibility for the event (a publisher confirm).</summary>
    Task PublishAsync(IntegrationEvent @event, CancellationToken cancellationToken = default);
}
