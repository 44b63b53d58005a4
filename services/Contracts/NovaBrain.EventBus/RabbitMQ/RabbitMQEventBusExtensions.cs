using Microsoft.Extensions.DependencyInjection;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.EventBus.RabbitMQ;

namespace Microsoft.Extensions.Hosting;

public static class RabbitMQEventBusExtensions
{
    /// <summary>
    /// The event bus on the RabbitMQ server named <paramref name="connectionName"/> (the Aspire
    /// integration supplies the connection, its health check and telemetry). Chain
    /// <c>AddSubscription&lt;TEvent, THandler&gt;()</c> for the events this service handles.
    /// </summary>
    public static IEventBusBuilder AddRabbitMqEventBus(this IHostApplicationBuilder builder, string connectionName)
    {
        builder.AddRabbitMQClient(connectionName);
        builder.Services.AddOptions<EventBusOptions>()
            .BindConfiguration(EventBusOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<RabbitMQEventBus>();
        builder.Services.AddSingleton<IEventBus>(services => services.GetRequiredService<RabbitMQEventBus>());
        builder.Services.AddHostedService<RabbitMQEventConsumer>();
        return new EventBusBuilder(builder.Services);
    }

    private sealed class EventBusBuilder(IServiceCollection services) : IEventBusBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
