using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Parameters.Infrastructure;

/// <summary>The Parameters service's own database: parameter sets, versions and blobs.</summary>
public sealed class ParametersContext(DbContextOptions<ParametersContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
