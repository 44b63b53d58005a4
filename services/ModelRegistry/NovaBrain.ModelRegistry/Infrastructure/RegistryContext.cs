using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Models;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>The ModelRegistry service's own database: registered models, versions, stages and lineage.</summary>
public sealed class RegistryContext(DbContextOptions<RegistryContext> options) : DbContext(options)
{
    public DbSet<RegisteredModel> RegisteredModels => Set<RegisteredModel>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RegisteredModel>(model =>
        {
            model.HasKey(m => m.Id);
            model.Property(m => m.Name).HasMaxLength(RegisteredModel.NameMaxLength);
            model.HasIndex(m => m.Name).IsUnique();
            model.Property(m => m.Description).HasMaxLength(4000);
        });
        modelBuilder.AddOutbox();
    }
}
