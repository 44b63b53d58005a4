using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

public static partial class Extensions
{
    /// <summary>
    /// The service's own PostgreSQL database: an EF Core context from the Aspire integration (pooling,
    /// retries, health check, telemetry) and its migrations applied before the service takes traffic.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        builder.AddNpgsqlDbContext<TContext>(connectionName);
        // First of all hosted services: others (Data Protection's key ring, seeding) read the schema it creates.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, DatabaseMigrator<TContext>>());
        return builder;
    }

    /// <summary>
    /// Hosted services start before the web server does, so the service listens only once its schema
    /// is current; a migration that fails stops the service rather than letting it serve a stale schema.
    /// </summary>
    private sealed partial class DatabaseMigrator<TContext>(IServiceProvider services, ILogger<DatabaseMigrator<TContext>> logger)
        : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var strategy = context.Database.CreateExecutionStrategy();
            await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
            LogMigrated(typeof(TContext).Name);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Information, Message = "Database schema of {Context} is up to date")]
        private partial void LogMigrated(string context);
    }
}
