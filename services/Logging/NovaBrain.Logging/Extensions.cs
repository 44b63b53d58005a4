using NovaBrain.Contracts.IntegrationEvents;
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
            .AddSubscription<RegisteredModelCreated, RegisteredModelCreatedHandler>();
        builder.Services.AddScoped<AuditTrail>();
        return builder;
    }
}
