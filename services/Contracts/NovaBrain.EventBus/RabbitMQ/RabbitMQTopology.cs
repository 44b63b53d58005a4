using RabbitMQ.Client;

namespace NovaBrain.EventBus.RabbitMQ;

/// <summary>
/// One durable topic exchange for all events; per subscriber a durable queue bound to the events it
/// handles, whose rejected messages go through a dead-letter exchange to its own dead-letter queue.
/// Declarations are idempotent, so every publisher and consumer declares what it relies on.
/// </summary>
internal static class RabbitMQTopology
{
    public const string DeadLetterSuffix = ".dead-letter";

    public static string DeadLetterExchange(EventBusOptions options) => options.ExchangeName + DeadLetterSuffix;

    public static Task DeclareExchangeAsync(IChannel channel, EventBusOptions options, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(options.ExchangeName, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);

    public static async Task DeclareSubscriberQueueAsync(
        IChannel channel, EventBusOptions options, string queue, IEnumerable<string> eventNames, CancellationToken cancellationToken)
    {
        await DeclareExchangeAsync(channel, options, cancellationToken);
        var deadLetterExchange = DeadLetterExchange(options);
        var deadLetterQueue = queue + DeadLetterSuffix;

        await channel.ExchangeDeclareAsync(deadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(deadLetterQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(deadLetterQueue, deadLetterExchange, routingKey: queue, cancellationToken: cancellationToken);

        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = deadLetterExchange,
                ["x-dead-letter-routing-key"] = queue,
            },
            cancellationToken: cancellationToken);
        foreach (var eventName in eventNames)
        {
            await channel.QueueBindAsync(queue, options.ExchangeName, routingKey: eventName, cancellationToken: cancellationToken);
        }
    }
}
