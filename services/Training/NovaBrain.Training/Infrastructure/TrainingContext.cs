using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Infrastructure;

/// <summary>The Training service's own database: training jobs and their progress, and users' templates.</summary>
public sealed class TrainingContext(DbContextOptions<TrainingContext> options) : DbContext(options)
{
    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();
    public DbSet<JobProgress> Progress => Set<JobProgress>();
    public DbSet<StoredTemplate> Templates => Set<StoredTemplate>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();

        modelBuilder.Entity<TrainingJob>(job =>
        {
            job.ToTable("jobs");
            job.HasKey(j => j.Id);
            job.Property(j => j.Owner).HasMaxLength(200);
            job.Property(j => j.Template).HasMaxLength(100);
            job.Property(j => j.Hyperparameters).HasColumnType("jsonb");
            job.Property(j => j.Dataset).HasMaxLength(80);
            job.Property(j => j.LabelColumn).HasMaxLength(TrainingJob.LabelColumnMaxLength);
            job.Property(j => j.ModelName).HasMaxLength(TrainingJob.ModelNameMaxLength);
            job.Property(j => j.Device).HasMaxLength(10);
            job.Property(j => j.State).HasMaxLength(20);
            job.Property(j => j.Worker).HasMaxLength(200);
            job.Property(j => j.CheckpointBlob).HasMaxLength(80);
            job.Property(j => j.WeightsParameterSet).HasMaxLength(300);
            job.HasIndex(j => new { j.Owner, j.CreatedAt });
            job.HasIndex(j => new { j.State, j.CreatedAt });
            job.HasMany(j => j.Progress).WithOne().HasForeignKey(p => p.JobId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<JobProgress>(progress =>
        {
            progress.ToTable("job_progress");
            progress.HasKey(p => p.Id);
            // Progress rows are written once and never updated, so a reference comparison is enough.
            progress.Property(p => p.Metrics)
                .HasColumnType("jsonb")
                .HasConversion(
                    metrics => JsonSerializer.Serialize(metrics, JsonSerializerOptions.Default),
                    json => JsonSerializer.Deserialize<Dictionary<string, double>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, double>(),
                    new ValueComparer<Dictionary<string, double>>((left, right) => ReferenceEquals(left, right), metrics => metrics.Count, metrics => metrics));
            progress.HasIndex(p => new { p.JobId, p.Id });
        });
        modelBuilder.Entity<StoredTemplate>(template =>
        {
            template.ToTable("templates");
            template.HasKey(t => t.Id);
            template.Property(t => t.Name).HasMaxLength(StoredTemplate.NameMaxLength);
            template.Property(t => t.BasedOn).HasMaxLength(StoredTemplate.NameMaxLength);
            template.Property(t => t.Description).HasMaxLength(StoredTemplate.DescriptionMaxLength);
            template.Property(t => t.Hyperparameters).HasColumnType("jsonb");
            template.Property(t => t.Owner).HasMaxLength(200);
            template.HasIndex(t => new { t.Name, t.Version }).IsUnique();
        });
    }
}
