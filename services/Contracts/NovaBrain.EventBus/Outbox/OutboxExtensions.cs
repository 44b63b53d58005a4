using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.EventBus.Outbox;

namespace Microsoft.Extensions.Hosting;

public static class OutboxExtensions
{
    /// <summary>
    /// Publishes events through an outbox in <typeparamref name="TContext"/>'s database (whose model
    /// calls <c>AddOutbox()</c>). Handlers inject <see cref="IntegrationEventOutbox{TContext}"/>.
    /// </summary>
    public static IEventBusBuilder AddOutbox<TContext>(this IEventBusBuilder builder) where TContext : DbContext
    {
        builder.Services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddScoped<IntegrationEventOutbox<TContext>>();
        builder.Services.AddHostedService<OutboxDispatcher<TContext>>();
        return builder;
    }
}
