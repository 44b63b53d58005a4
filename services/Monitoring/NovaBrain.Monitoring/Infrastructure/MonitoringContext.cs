using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Monitoring.Infrastructure;

/// <summary>The Monitoring service's own database: alert rules, alerts and drift reports.</summary>
public sealed class MonitoringContext(DbContextOptions<MonitoringContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
