using System.Reflection;
using NovaBrain.Contracts.IntegrationEvents;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.Logging.Audit;
using NovaBrain.Logging.Infrastructure;
using NovaBrain.Logging.IntegrationEvents.EventHandling;

namespace NovaBrain.Logging;

public static class Extensions
{
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<LoggingContext>("logsdb");
        builder.AddRabbitMqEventBus("eventbus")
            .AddOutbox<LoggingContext>()
            .AddAuditedEventSubscriptions();
        builder.Services.AddScoped<AuditTrail>();
        return builder;
    }

    /// <summary>
    /// Every event in the contracts that implements <see cref="IAuditedEvent"/> goes to the audit trail, so an
    /// event added there is audited without a change here.
    /// </summary>
    private static IEventBusBuilder AddAuditedEventSubscriptions(this IEventBusBuilder eventBus)
    {
        var subscribe = typeof(Extensions).GetMethod(nameof(AddAuditedEventSubscription), BindingFlags.NonPublic | BindingFlags.Static)!;
        var auditedEvents = typeof(IAuditedEvent).Assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } &&
                           type.IsAssignableTo(typeof(IAuditedEvent)) &&
                           type.IsAssignableTo(typeof(IntegrationEvent)));
        foreach (var auditedEvent in auditedEvents)
        {
            subscribe.MakeGenericMethod(auditedEvent).Invoke(null, [eventBus]);
        }
        return eventBus;
    }

    private static void AddAuditedEventSubscription<TEvent>(IEventBusBuilder eventBus) where TEvent : IntegrationEvent, IAuditedEvent =>
        eventBus.AddSubscription<TEvent, AuditedEventHandler<TEvent>>();
}
