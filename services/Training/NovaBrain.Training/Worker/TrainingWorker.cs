using System.Text.Json;
using NovaBrain.Training.Extensions;
using NovaBrain.Training.Queue;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace NovaBrain.Training.Worker;

/// <summary>
/// Consumes the job queue once per <see cref="WorkerSlot"/>, each slot on its own channel one message at a time
/// (prefetch 1, manual acknowledgements), and hands each job to the configured <see cref="IJobExecution"/>, whose
/// outcome decides whether the message is acknowledged, requeued or dead-lettered.
/// </summary>
public sealed partial class TrainingWorker(
    IConnection connection, JobQueue queue, IReadOnlyList<WorkerSlot> slots, IServiceScopeFactory scopeFactory, ILogger<TrainingWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channels = new List<IChannel>();
        try
        {
            foreach (var slot in slots)
            {
                var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                channels.Add(channel);
                await queue.DeclareAsync(channel, stoppingToken);
                await channel.BasicQosAsync(prefetchSize: 0, prefetchCount: 1, global: false, stoppingToken);

                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(channel, slot, delivery, stoppingToken);
                await channel.BasicConsumeAsync(queue.Options.QueueName, autoAck: false, consumer, stoppingToken);
                LogConsuming(queue.Options.QueueName, slot.WorkerName, slot.CudaDevice is { } device ? $"cuda:{device}" : "cpu");
            }
            await Task.Delay(Timeout.Infinite, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            foreach (var channel in channels)
            {
                await channel.DisposeAsync();
            }
        }
    }

    private async Task OnReceivedAsync(IChannel channel, WorkerSlot slot, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        JobMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<JobMessage>(delivery.Body.Span);
        }
        catch (JsonException)
        {
            message = null;
        }
        if (message is null)
        {
            LogUnreadable(delivery.BasicProperties.MessageId);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false);
            return;
        }

        DeliveryOutcome outcome;
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            outcome = await scope.ServiceProvider.GetRequiredService<IJobExecution>().ExecuteAsync(message.JobId, slot, stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // The job's own failures are handled by the runner; this is the database, the broker or the API server failing around it.
            // Wait before handing the message back, so that an outage does not turn into a redelivery loop.
            LogRunFailed(exception, message.JobId);
            await Task.Delay(queue.Options.RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            outcome = DeliveryOutcome.Requeue;
        }
        switch (outcome)
        {
            case DeliveryOutcome.Acknowledge:
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
                break;
            case DeliveryOutcome.Requeue:
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
                break;
            default:
                await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false);
                break;
        }
    }

    [LoggerMessage(LogLevel.Information, "Training worker {Worker} consuming {Queue}, training on {Device}")]
    private partial void LogConsuming(string queue, string worker, string device);

    [LoggerMessage(LogLevel.Error, "Running job {JobId} failed outside its training; its message goes back to the queue")]
    private partial void LogRunFailed(Exception exception, Guid jobId);

    [LoggerMessage(LogLevel.Warning, "Unreadable job message {MessageId} dead-lettered")]
    private partial void LogUnreadable(string? messageId);
}

/// <summary>What becomes of a job's message once the runner is done with it.</summary>
public enum DeliveryOutcome
{
    Acknowledge,
    Requeue,
    DeadLetter,
}
