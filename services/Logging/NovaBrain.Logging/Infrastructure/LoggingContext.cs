using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Logging.Infrastructure;

/// <summary>The Logging service's own database: structured logs and the audit trail.</summary>
public sealed class LoggingContext(DbContextOptions<LoggingContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
