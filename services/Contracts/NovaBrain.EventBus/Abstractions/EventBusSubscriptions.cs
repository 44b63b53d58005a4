using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace NovaBrain.EventBus.Abstractions;

/// <summary>The events a service subscribes to, by the name they travel under.</summary>
public sealed class EventBusSubscriptions
{
    public Dictionary<string, Type> EventTypes { get; } = [];

    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web);

    /// <summary>The name an event travels under: its type's name, which is also its routing key.</summary>
    public static string EventName(Type eventType) => eventType.Name;
}

public interface IEventBusBuilder
{
    IServiceCollection Services { get; }
}
