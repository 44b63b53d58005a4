using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.DataProcessing.Infrastructure;

/// <summary>The DataProcessing service's own database: pipelines and their runs.</summary>
public sealed class DataProcessingContext(DbContextOptions<DataProcessingContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
