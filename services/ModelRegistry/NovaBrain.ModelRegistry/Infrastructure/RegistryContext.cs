using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>The ModelRegistry service's own database: registered models, versions, stages and lineage.</summary>
public sealed class RegistryContext(DbContextOptions<RegistryContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
