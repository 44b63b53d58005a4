using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Studies;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Infrastructure;

/// <summary>The Training service's own database: training jobs and their progress, users' templates, and hyperparameter studies and their trials.</summary>
public sealed class TrainingContext(DbContextOptions<TrainingContext> options) : DbContext(options)
{
    public DbSet<TrainingJob> Jobs => Set<TrainingJob>();
    public DbSet<JobProgress> Progress => Set<JobProgress>();
    public DbSet<StoredTemplate> Templates => Set<StoredTemplate>();
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<StudyTrial> StudyTrials => Set<StudyTrial>();

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
        modelBuilder.Entity<Study>(study =>
        {
            study.ToTable("studies");
            study.HasKey(s => s.Id);
            study.Property(s => s.Name).HasMaxLength(Study.NameMaxLength);
            study.Property(s => s.Owner).HasMaxLength(200);
            study.Property(s => s.Template).HasMaxLength(100);
            study.Property(s => s.Hyperparameters).HasColumnType("jsonb");
            // Settings are written once, at creation: a reference comparison is enough.
            Json(study.Property(s => s.SearchSpace), ReferenceComparer<Dictionary<string, SearchDimension>>());
            Json(study.Property(s => s.Objective), ReferenceComparer<StudyObjective>());
            Json(study.Property(s => s.Sampler), ReferenceComparer<SamplerSettings>());
            Json(study.Property(s => s.Pruner), ReferenceComparer<PrunerSettings?>());
            study.Property(s => s.Dataset).HasMaxLength(80);
            study.Property(s => s.LabelColumn).HasMaxLength(TrainingJob.LabelColumnMaxLength);
            study.Property(s => s.ModelName).HasMaxLength(TrainingJob.ModelNameMaxLength);
            study.Property(s => s.Device).HasMaxLength(10);
            study.Property(s => s.State).HasMaxLength(20);
            study.Property(s => s.EndReason).HasMaxLength(1000);
            study.Property(s => s.LeaseOwner).HasMaxLength(300);
            study.Property(s => s.RowVersion).IsRowVersion();
            study.Ignore(s => s.Deadline);
            study.HasIndex(s => new { s.State, s.CreatedAt });
            study.HasMany(s => s.Trials).WithOne().HasForeignKey(t => t.StudyId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StudyTrial>(trial =>
        {
            trial.ToTable("study_trials");
            trial.HasKey(t => t.Id);
            trial.Property(t => t.State).HasMaxLength(20);
            Json(trial.Property(t => t.Hyperparameters), ReferenceComparer<Dictionary<string, JsonElement>>());
            Json(trial.Property(t => t.IntermediateValues), new ValueComparer<Dictionary<int, double>>(
                (left, right) => left!.Count == right!.Count && left.All(pair => right.ContainsKey(pair.Key) && right[pair.Key] == pair.Value),
                values => values.Count,
                values => values.ToDictionary()));
            trial.Property(t => t.RowVersion).IsRowVersion();
            // Two coordinators cannot both add a study's next trial.
            trial.HasIndex(t => new { t.StudyId, t.Number }).IsUnique();
        });
    }

    private static void Json<T>(Microsoft.EntityFrameworkCore.Metadata.Builders.PropertyBuilder<T> property, ValueComparer<T> comparer) =>
        property.HasColumnType("jsonb").HasConversion(
            value => JsonSerializer.Serialize(value, JsonSerializerOptions.Web),
            json => JsonSerializer.Deserialize<T>(json, JsonSerializerOptions.Web)!,
            comparer);

    private static ValueComparer<T> ReferenceComparer<T>() =>
        new((left, right) => ReferenceEquals(left, right), value => value == null ? 0 : value.GetHashCode(), value => value);
}
