using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NovaBrain.EventBus.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace NovaBrain.EventBus.RabbitMQ;

/// <summary>
/// Consumes this service's queue with manual acknowledgements: a message is acked only after every
/// handler has finished. A failing message is requeued once; failing again, or unreadable, it is
/// rejected into the service's dead-letter queue, never dropped. The connection recovers by itself
/// after a broker restart, and so does this consumer.
/// </summary>
internal sealed partial class RabbitMQEventConsumer(
    IConnection connection,
    IServiceScopeFactory scopeFactory,
    IOptions<EventBusOptions> options,
    IOptions<EventBusSubscriptions> subscriptions,
    IHostEnvironment environment,
    ILogger<RabbitMQEventConsumer> logger) : IHostedService, IAsyncDisposable
{
    private IChannel? _channel;

    private string QueueName => options.Value.SubscriptionQueueName ?? environment.ApplicationName;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var eventTypes = subscriptions.Value.EventTypes;
        if (eventTypes.Count == 0)
        {
            return;
        }

        _channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await RabbitMQTopology.DeclareSubscriberQueueAsync(_channel, options.Value, QueueName, eventTypes.Keys, cancellationToken);
        await _channel.BasicQosAsync(prefetchSize: 0, options.Value.PrefetchCount, global: false, cancellationToken);

        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(_channel, delivery);
        await _channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, cancellationToken);
        LogConsuming(QueueName, string.Join(", ", eventTypes.Keys));
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var eventName = delivery.RoutingKey;
        using var activity = EventBusTelemetry.Source.StartActivity(
            $"process {eventName}", ActivityKind.Consumer, parentId: EventBusTelemetry.ReadTraceParent(delivery.BasicProperties.Headers));
        activity?.SetTag("messaging.system", "rabbitmq");
        activity?.SetTag("messaging.destination.name", QueueName);
        activity?.SetTag("messaging.message.id", delivery.BasicProperties.MessageId);

        try
        {
            var @event = Deserialize(eventName, delivery.Body);
            await using var scope = scopeFactory.CreateAsyncScope();
            foreach (var handler in scope.ServiceProvider.GetKeyedServices<IIntegrationEventHandler>(eventName))
            {
                await handler.HandleAsync(@event, CancellationToken.None);
            }
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        }
        catch (Exception exception) when (exception is JsonException or UnknownEventException)
        {
            LogUnreadable(exception, eventName, delivery.BasicProperties.MessageId);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
            var requeue = !delivery.Redelivered;
            LogHandlerFailed(exception, eventName, delivery.BasicProperties.MessageId, requeue);
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue);
        }
    }

    private IntegrationEvent Deserialize(string eventName, ReadOnlyMemory<byte> body)
    {
        if (!subscriptions.Value.EventTypes.TryGetValue(eventName, out var eventType))
        {
            throw new UnknownEventException(eventName);
        }
        return JsonSerializer.Deserialize(body.Span, eventType, EventBusSubscriptions.SerializerOptions) as IntegrationEvent
            ?? throw new UnknownEventException(eventName);
    }

    public Task StopAsync(CancellationToken cancellationToken) =>
        _channel is { IsOpen: true } ? _channel.CloseAsync(cancellationToken) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
    }

    private sealed class UnknownEventException(string eventName) : Exception($"No subscription reads events named '{eventName}'.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming queue {Queue} for {Events}")]
    private partial void LogConsuming(string queue, string events);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventName} ({MessageId}) cannot be read; it goes to the dead-letter queue")]
    private partial void LogUnreadable(Exception exception, string eventName, string? messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling event {EventName} ({MessageId}) failed; requeued: {Requeued}")]
    private partial void LogHandlerFailed(Exception exception, string eventName, string? messageId, bool requeued);
}
