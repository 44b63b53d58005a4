using System.ComponentModel.DataAnnotations;

namespace NovaBrain.EventBus.RabbitMQ;

/// <summary>Bound from the <c>EventBus</c> configuration section.</summary>
public sealed class EventBusOptions
{
    public const string SectionName = "EventBus";

    /// <summary>The durable topic exchange every event is published to.</summary>
    [Required]
    public string ExchangeName { get; set; } = "novabrain.events";

    /// <summary>
    /// This service's durable queue; its dead letters go to <c>{SubscriptionQueueName}.dead-letter</c>.
    /// Defaults to the service's application name.
    /// </summary>
    public string? SubscriptionQueueName { get; set; }

    /// <summary>How many unacknowledged deliveries one consumer holds at a time.</summary>
    [Range(1, 10_000)]
    public ushort PrefetchCount { get; set; } = 16;
}
