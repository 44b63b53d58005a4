using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NovaBrain.EventBus.RabbitMQ;

namespace NovaBrain.EventBus.Outbox;

/// <summary>
/// Publishes committed outbox messages in the order they occurred. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so several replicas of a service never publish the same row at the
/// same time. A row is marked published only after the broker confirmed it; a crash between the
/// two republishes it, which consumers absorb by event id (at least once, handled once).
/// </summary>
internal sealed partial class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopeFactory,
    RabbitMQEventBus eventBus,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService where TContext : DbContext
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var outcome = await PublishBatchAsync(stoppingToken);
                failures = outcome == BatchOutcome.Failed ? failures + 1 : 0;
                if (outcome == BatchOutcome.Full)
                {
                    continue;
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogDispatchFailed(exception);
            }

            var wait = failures == 0 ? options.Value.PollInterval : RetryDelay(failures);
            await signal.WaitAsync(wait, stoppingToken);
        }
    }

    private TimeSpan RetryDelay(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxRetryDelay.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 16))));

    private async Task<BatchOutcome> PublishBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        // The retrying strategy re-runs the whole batch after a transient database failure.
        var strategy = context.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(() => PublishBatchAsync(context, cancellationToken));
    }

    private async Task<BatchOutcome> PublishBatchAsync(TContext context, CancellationToken cancellationToken)
    {
        context.ChangeTracker.Clear();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);

        var batchSize = options.Value.BatchSize;
        var pending = await context.Set<OutboxMessage>()
            .FromSql($"""
                SELECT * FROM "OutboxMessages" WHERE "PublishedAt" IS NULL
                ORDER BY "OccurredAt" LIMIT {batchSize} FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);

        var outcome = pending.Count == batchSize ? BatchOutcome.Full : BatchOutcome.Drained;
        foreach (var message in pending)
        {
            try
            {
                await eventBus.PublishAsync(
                    new OutgoingEvent(message.EventId, message.EventName, Encoding.UTF8.GetBytes(message.Payload), message.TraceParent),
                    cancellationToken);
                message.PublishedAt = DateTimeOffset.UtcNow;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                message.Attempts++;
                message.LastError = exception.Message.Length > 2000 ? exception.Message[..2000] : exception.Message;
                LogPublishFailed(exception, message.EventName, message.EventId, message.Attempts);
                outcome = BatchOutcome.Failed;
                break;
            }
        }

        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }

    private enum BatchOutcome { Drained, Full, Failed }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing {EventName} ({EventId}) failed on attempt {Attempts}; it stays in the outbox")]
    private partial void LogPublishFailed(Exception exception, string eventName, Guid eventId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the outbox failed; retrying")]
    private partial void LogDispatchFailed(Exception exception);
}
