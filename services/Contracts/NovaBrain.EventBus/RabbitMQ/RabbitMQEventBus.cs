using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Options;
using NovaBrain.EventBus.Abstractions;
using RabbitMQ.Client;

namespace NovaBrain.EventBus.RabbitMQ;

/// <summary>
/// Publishes persistent messages on one confirm-tracking channel: a publish completes only when the
/// broker confirms it, and throws when the broker refuses it or cannot be reached, so a caller (the
/// outbox) knows to try again.
/// </summary>
public sealed class RabbitMQEventBus(IConnection connection, IOptions<EventBusOptions> options) : IEventBus, IAsyncDisposable
{
    private readonly SemaphoreSlim _channelLock = new(1, 1);
    private IChannel? _channel;

    public Task PublishAsync(IntegrationEvent @event, CancellationToken cancellationToken = default)
    {
        var eventName = EventBusSubscriptions.EventName(@event.GetType());
        var body = JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), EventBusSubscriptions.SerializerOptions);
        return PublishAsync(new OutgoingEvent(@event.Id, eventName, body, EventBusTelemetry.CurrentTraceParent()), cancellationToken);
    }

    /// <summary>Publishes an event already serialised, as the outbox stored it.</summary>
    internal async Task PublishAsync(OutgoingEvent outgoing, CancellationToken cancellationToken)
    {
        using var activity = EventBusTelemetry.Source.StartActivity(
            $"publish {outgoing.EventName}", ActivityKind.Producer, parentId: outgoing.TraceParent);
        var properties = new BasicProperties
        {
            Persistent = true,
            MessageId = outgoing.EventId.ToString(),
            Type = outgoing.EventName,
            ContentType = "application/json",
            Headers = new Dictionary<string, object?>(),
        };
        if ((activity?.Id ?? outgoing.TraceParent) is { } traceParent)
        {
            properties.Headers[EventBusTelemetry.TraceParentHeader] = traceParent;
        }

        await _channelLock.WaitAsync(cancellationToken);
        try
        {
            var channel = await GetChannelAsync(cancellationToken);
            await channel.BasicPublishAsync(options.Value.ExchangeName, outgoing.EventName, mandatory: false, properties, outgoing.Body, cancellationToken);
        }
        finally
        {
            _channelLock.Release();
        }
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true })
        {
            return _channel;
        }
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        _channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
        await RabbitMQTopology.DeclareExchangeAsync(_channel, options.Value, cancellationToken);
        return _channel;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        _channelLock.Dispose();
    }
}

internal sealed record OutgoingEvent(Guid EventId, string EventName, ReadOnlyMemory<byte> Body, string? TraceParent);
