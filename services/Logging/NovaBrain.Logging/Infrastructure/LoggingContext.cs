using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Logging.Audit;

namespace NovaBrain.Logging.Infrastructure;

/// <summary>The Logging service's own database: structured logs and the audit trail.</summary>
public sealed class LoggingContext(DbContextOptions<LoggingContext> options) : DbContext(options)
{
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntry>(entry =>
        {
            entry.HasKey(e => e.Id);
            entry.HasIndex(e => e.EventId).IsUnique();
            entry.HasIndex(e => new { e.Subject, e.OccurredAt });
            entry.HasIndex(e => new { e.Actor, e.OccurredAt });
            entry.Property(e => e.EventName).HasMaxLength(200);
            entry.Property(e => e.Subject).HasMaxLength(300);
            entry.Property(e => e.Actor).HasMaxLength(200);
            entry.Property(e => e.TraceId).HasMaxLength(32);
            entry.Property(e => e.Payload).HasColumnType("jsonb");
        });
        modelBuilder.AddOutbox();
    }
}
