using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Training.Infrastructure;

/// <summary>The Training service's own database: training jobs, templates and studies.</summary>
public sealed class TrainingContext(DbContextOptions<TrainingContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
