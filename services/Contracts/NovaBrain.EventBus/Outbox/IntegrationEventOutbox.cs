using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.EventBus.RabbitMQ;

namespace NovaBrain.EventBus.Outbox;

/// <summary>
/// "Write to the database and publish", atomically: <see cref="Add"/> stages the event in the same
/// context as the change, one <c>SaveChangesAsync</c> commits both, and the dispatcher is woken to
/// publish at once. If the broker is away the event waits in the table, never lost.
/// </summary>
public sealed class IntegrationEventOutbox<TContext>(TContext context, OutboxSignal signal) where TContext : DbContext
{
    private bool _wakesDispatcher;

    public void Add(IntegrationEvent @event)
    {
        context.Set<OutboxMessage>().Add(new OutboxMessage
        {
            EventId = @event.Id,
            EventName = EventBusSubscriptions.EventName(@event.GetType()),
            Payload = JsonSerializer.Serialize(@event, @event.GetType(), EventBusSubscriptions.SerializerOptions),
            TraceParent = EventBusTelemetry.CurrentTraceParent(),
            OccurredAt = @event.OccurredAt,
        });
        if (!_wakesDispatcher)
        {
            context.SavedChanges += (_, _) => signal.Notify();
            _wakesDispatcher = true;
        }
    }
}

/// <summary>Wakes the dispatcher when something was committed, so publishing does not wait for its poll.</summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another commit woke it already.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
