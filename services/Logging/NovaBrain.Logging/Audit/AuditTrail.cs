using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.Logging.Infrastructure;
using Npgsql;

namespace NovaBrain.Logging.Audit;

/// <summary>Records announced events once each, however often they are delivered.</summary>
public sealed class AuditTrail(LoggingContext context)
{
    /// <returns>False when the event was recorded before (a redelivery).</returns>
    public async Task<bool> RecordAsync<TEvent>(TEvent @event, CancellationToken cancellationToken)
        where TEvent : IntegrationEvent, IAuditedEvent
    {
        context.AuditEntries.Add(new AuditEntry
        {
            EventId = @event.Id,
            EventName = EventBusSubscriptions.EventName(@event.GetType()),
            Subject = @event.AuditSubject,
            Actor = @event.Actor,
            OccurredAt = @event.OccurredAt,
            RecordedAt = DateTimeOffset.UtcNow,
            TraceId = Activity.Current?.TraceId.ToString(),
            Payload = JsonSerializer.Serialize(@event, @event.GetType(), EventBusSubscriptions.SerializerOptions),
        });
        try
        {
            await context.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }
}
