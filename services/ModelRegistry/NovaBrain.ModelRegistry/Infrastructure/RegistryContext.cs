using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;

namespace NovaBrain.ModelRegistry.Infrastructure;

/// <summary>The ModelRegistry service's own database: registered models, versions, stages and lineage.</summary>
public sealed class RegistryContext(DbContextOptions<RegistryContext> options) : DbContext(options)
{
    public const int PrincipalMaxLength = 200;
    public const int TagKeyMaxLength = 250;
    public const int TagValueMaxLength = 5000;

    public DbSet<RegisteredModel> RegisteredModels => Set<RegisteredModel>();

    public DbSet<ModelVersion> ModelVersions => Set<ModelVersion>();

    public DbSet<ModelAlias> ModelAliases => Set<ModelAlias>();

    public DbSet<ModelTransition> ModelTransitions => Set<ModelTransition>();

    public DbSet<ApprovalRequest> ApprovalRequests => Set<ApprovalRequest>();

    public DbSet<LineageReference> LineageReferences => Set<LineageReference>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RegisteredModel>(model =>
        {
            model.HasKey(m => m.Id);
            model.Property(m => m.Name).HasMaxLength(RegisteredModel.NameMaxLength);
            model.HasIndex(m => m.Name).IsUnique();
            model.Property(m => m.Description).HasMaxLength(RegisteredModel.DescriptionMaxLength);
            model.Property(m => m.Owner).HasMaxLength(PrincipalMaxLength);
            model.HasMany(m => m.Tags).WithOne().HasForeignKey(t => t.ModelId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RegisteredModelTag>(tag =>
        {
            tag.HasKey(t => new { t.ModelId, t.Key });
            tag.Property(t => t.Key).HasMaxLength(TagKeyMaxLength);
            tag.Property(t => t.Value).HasMaxLength(TagValueMaxLength);
        });

        modelBuilder.Entity<ModelVersion>(version =>
        {
            version.HasKey(v => v.Id);
            // Two registrations can never share a number, whatever happens to the lock that orders them.
            version.HasIndex(v => new { v.ModelId, v.Version }).IsUnique();
            version.HasOne(v => v.Model).WithMany().HasForeignKey(v => v.ModelId).OnDelete(DeleteBehavior.Restrict);
            version.Property(v => v.Format).HasMaxLength(32);
            version.Property(v => v.Description).HasMaxLength(ModelVersion.DescriptionMaxLength);
            version.Property(v => v.ArtifactDigest).HasMaxLength(71);
            version.Property(v => v.ValidationStatus).HasMaxLength(32);
            version.Property(v => v.ExecutionProvider).HasMaxLength(64);
            version.Property(v => v.Stage).HasMaxLength(16);
            version.HasIndex(v => new { v.ModelId, v.Stage });
            version.Property(v => v.CreatedBy).HasMaxLength(PrincipalMaxLength);
            version.Property(v => v.Signature)
                .HasColumnType("jsonb")
                .HasConversion(
                    signature => JsonSerializer.Serialize(signature, JsonSerializerOptions.Web),
                    json => JsonSerializer.Deserialize<ModelSignature>(json, JsonSerializerOptions.Web) ?? ModelSignature.Empty);
            version.HasMany(v => v.Tags).WithOne().HasForeignKey(t => t.VersionId).OnDelete(DeleteBehavior.Cascade);
            version.HasMany(v => v.Metrics).WithOne().HasForeignKey(m => m.VersionId).OnDelete(DeleteBehavior.Cascade);
            version.HasMany(v => v.Params).WithOne().HasForeignKey(p => p.VersionId).OnDelete(DeleteBehavior.Cascade);
            version.HasMany(v => v.Lineage).WithOne().HasForeignKey(l => l.VersionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<ModelVersionTag>(tag =>
        {
            tag.HasKey(t => new { t.VersionId, t.Key });
            tag.Property(t => t.Key).HasMaxLength(TagKeyMaxLength);
            tag.Property(t => t.Value).HasMaxLength(TagValueMaxLength);
        });
        modelBuilder.Entity<ModelVersionMetric>(metric =>
        {
            metric.HasKey(m => new { m.VersionId, m.Key });
            metric.Property(m => m.Key).HasMaxLength(TagKeyMaxLength);
        });
        modelBuilder.Entity<ModelVersionParam>(param =>
        {
            param.HasKey(p => new { p.VersionId, p.Key });
            param.Property(p => p.Key).HasMaxLength(TagKeyMaxLength);
            param.Property(p => p.Value).HasMaxLength(TagValueMaxLength);
        });
        modelBuilder.Entity<LineageReference>(lineage =>
        {
            lineage.HasKey(l => l.Id);
            lineage.Property(l => l.Kind).HasMaxLength(32);
            lineage.Property(l => l.Reference).HasMaxLength(LineageReference.ReferenceMaxLength);
            // A parent still referenced cannot be deleted, even by a write that skipped the check.
            lineage.HasOne<ModelVersion>().WithMany().HasForeignKey(l => l.ParentVersionId).OnDelete(DeleteBehavior.Restrict);
            lineage.HasIndex(l => new { l.Kind, l.Reference });
        });

        modelBuilder.Entity<ModelAlias>(alias =>
        {
            alias.HasKey(a => new { a.ModelId, a.Name });
            alias.Property(a => a.Name).HasMaxLength(ModelAlias.NameMaxLength);
            alias.HasOne<RegisteredModel>().WithMany().HasForeignKey(a => a.ModelId).OnDelete(DeleteBehavior.Restrict);
            alias.HasOne<ModelVersion>().WithMany().HasForeignKey(a => a.VersionId).OnDelete(DeleteBehavior.Restrict);
        });
        modelBuilder.Entity<ModelTransition>(transition =>
        {
            transition.HasKey(t => t.Id);
            transition.HasIndex(t => new { t.ModelId, t.Id });
            transition.HasOne<RegisteredModel>().WithMany().HasForeignKey(t => t.ModelId).OnDelete(DeleteBehavior.Restrict);
            transition.Property(t => t.Kind).HasMaxLength(16);
            transition.Property(t => t.Action).HasMaxLength(16);
            transition.Property(t => t.FromStage).HasMaxLength(16);
            transition.Property(t => t.ToStage).HasMaxLength(16);
            transition.Property(t => t.Alias).HasMaxLength(ModelAlias.NameMaxLength);
            transition.Property(t => t.Reason).HasMaxLength(ModelTransition.ReasonMaxLength);
            transition.Property(t => t.ChangedBy).HasMaxLength(PrincipalMaxLength);
            transition.Property(t => t.ApprovedBy).HasMaxLength(PrincipalMaxLength);
        });
        modelBuilder.Entity<ApprovalRequest>(request =>
        {
            request.HasKey(r => r.Id);
            request.HasIndex(r => new { r.ModelId, r.Status });
            request.HasOne<RegisteredModel>().WithMany().HasForeignKey(r => r.ModelId).OnDelete(DeleteBehavior.Restrict);
            request.HasOne<ModelVersion>().WithMany().HasForeignKey(r => r.VersionId).OnDelete(DeleteBehavior.Cascade);
            request.Property(r => r.ToStage).HasMaxLength(16);
            request.Property(r => r.Reason).HasMaxLength(ModelTransition.ReasonMaxLength);
            request.Property(r => r.Status).HasMaxLength(16);
            request.Property(r => r.RequestedBy).HasMaxLength(PrincipalMaxLength);
            request.Property(r => r.DecidedBy).HasMaxLength(PrincipalMaxLength);
            request.Property(r => r.Comment).HasMaxLength(ModelTransition.ReasonMaxLength);
        });
        modelBuilder.AddOutbox();
    }
}
