using System.Text.Json;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Extensions;
using RabbitMQ.Client;

namespace NovaBrain.Training.Queue;

/// <summary>The message that tells a worker to run (or look at) a job; the job itself lives in the database.</summary>
public sealed record JobMessage(Guid JobId);

/// <summary>
/// The durable job queue, apart from the event bus's exchange: jobs are published through the default exchange to a
/// durable priority queue (<c>x-max-priority</c>); a message rejected after its last attempt is dead-lettered to
/// <c>&lt;queue&gt;.dead-letter</c>; a retry waits in <c>&lt;queue&gt;.retry</c> for its per-message TTL (the back-off)
/// and is then dead-lettered back into the job queue.
/// </summary>
public sealed class JobQueue(IConnection connection, IOptions<JobQueueOptions> options) : IAsyncDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private IChannel? _channel;

    public JobQueueOptions Options => options.Value;
    public string DeadLetterQueue => Options.QueueName + ".dead-letter";
    public string RetryQueue => Options.QueueName + ".retry";

    /// <summary>Declares the queues; idempotent, so publishers and consumers both do it.</summary>
    public async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(DeadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(Options.QueueName, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-max-priority"] = Options.MaxPriority,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = DeadLetterQueue,
            },
            cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(RetryQueue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = Options.QueueName,
            },
            cancellationToken: cancellationToken);
    }

    /// <summary>Queues a job to run as soon as a worker is free, before jobs of lower priority.</summary>
    public Task EnqueueAsync(Guid jobId, int priority, CancellationToken cancellationToken) =>
        PublishAsync(Options.QueueName, jobId, priority, expiration: null, cancellationToken);

    /// <summary>Queues a job again after <paramref name="delay"/>.</summary>
    public Task RetryAsync(Guid jobId, int priority, TimeSpan delay, CancellationToken cancellationToken) =>
        PublishAsync(RetryQueue, jobId, priority, expiration: ((long)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);

    private async Task PublishAsync(string queue, Guid jobId, int priority, string? expiration, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_channel is not { IsOpen: true })
            {
                _channel = await connection.CreateChannelAsync(
                    new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
                await DeclareAsync(_channel, cancellationToken);
            }
            var properties = new BasicProperties
            {
                Persistent = true,
                Priority = (byte)priority,
                MessageId = jobId.ToString(),
                ContentType = "application/json",
                Expiration = expiration,
            };
            await _channel.BasicPublishAsync("", queue, mandatory: true, properties, JsonSerializer.SerializeToUtf8Bytes(new JobMessage(jobId)), cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        _lock.Dispose();
    }
}
