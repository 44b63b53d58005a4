using Microsoft.Extensions.DependencyInjection;
using NovaBrain.EventBus.Abstractions;

namespace Microsoft.Extensions.Hosting;

public static class EventBusBuilderExtensions
{
    public static IEventBusBuilder AddSubscription<TEvent, THandler>(this IEventBusBuilder builder)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        var eventName = EventBusSubscriptions.EventName(typeof(TEvent));
        builder.Services.AddKeyedTransient<IIntegrationEventHandler, THandler>(eventName);
        builder.Services.Configure<EventBusSubscriptions>(subscriptions => subscriptions.EventTypes[eventName] = typeof(TEvent));
        return builder;
    }
}
