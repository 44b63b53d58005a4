using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Sets;

namespace NovaBrain.Parameters.Infrastructure;

/// <summary>The Parameters service's own database: parameter sets, versions and blobs.</summary>
public sealed class ParametersContext(DbContextOptions<ParametersContext> options) : DbContext(options)
{
    public const int PrincipalMaxLength = 200;

    public DbSet<Blob> Blobs => Set<Blob>();

    public DbSet<Upload> Uploads => Set<Upload>();

    public DbSet<ParameterSet> ParameterSets => Set<ParameterSet>();

    public DbSet<ParameterSetVersion> ParameterSetVersions => Set<ParameterSetVersion>();

    public DbSet<PointerMove> PointerMoves => Set<PointerMove>();

    public DbSet<ParameterTensor> ParameterTensors => Set<ParameterTensor>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Blob>(blob =>
        {
            blob.HasKey(b => b.Digest);
            blob.Property(b => b.Digest).HasMaxLength(BlobDigest.MaxLength);
            blob.Property(b => b.CreatedBy).HasMaxLength(PrincipalMaxLength);
        });
        modelBuilder.Entity<Upload>(upload =>
        {
            upload.HasKey(u => u.Id);
            upload.Property(u => u.ExpectedDigest).HasMaxLength(BlobDigest.MaxLength);
            upload.Property(u => u.CreatedBy).HasMaxLength(PrincipalMaxLength);
        });
        modelBuilder.Entity<ParameterSet>(set =>
        {
            set.HasKey(s => s.Name);
            set.Property(s => s.Name).HasMaxLength(ParameterSet.NameMaxLength);
            set.Property(s => s.CreatedBy).HasMaxLength(PrincipalMaxLength);
            set.Property(s => s.RowVersion).IsRowVersion();
        });
        modelBuilder.Entity<ParameterSetVersion>(version =>
        {
            // The key is the uniqueness that makes concurrent creations of the same number fail, and retry.
            version.HasKey(v => new { v.Name, v.Version });
            version.HasOne<ParameterSet>().WithMany().HasForeignKey(v => v.Name).OnDelete(DeleteBehavior.Restrict);
            version.HasOne<Blob>().WithMany().HasForeignKey(v => v.Blob).OnDelete(DeleteBehavior.Restrict);
            version.Property(v => v.Name).HasMaxLength(ParameterSet.NameMaxLength);
            version.Property(v => v.Blob).HasMaxLength(BlobDigest.MaxLength);
            version.Property(v => v.Format).HasMaxLength(32);
            version.Property(v => v.Description).HasMaxLength(ParameterSetVersion.DescriptionMaxLength);
            version.Property(v => v.CreatedBy).HasMaxLength(PrincipalMaxLength);
            version.Property(v => v.TensorLayout).HasMaxLength(32);
            version.Property(v => v.Tags).AsJsonDictionary();
            version.Property(v => v.FileMetadata).AsJsonDictionary();
        });
        modelBuilder.Entity<ParameterTensor>(tensor =>
        {
            tensor.HasKey(t => new { t.SetName, t.Version, t.Position });
            tensor.HasOne<ParameterSetVersion>().WithMany().HasForeignKey(t => new { t.SetName, t.Version }).OnDelete(DeleteBehavior.Cascade);
            tensor.Property(t => t.SetName).HasMaxLength(ParameterSet.NameMaxLength);
            tensor.Property(t => t.Name).HasMaxLength(ParameterTensor.NameMaxLength);
            tensor.Property(t => t.Dtype).HasMaxLength(16);
        });
        modelBuilder.Entity<PointerMove>(move =>
        {
            move.HasKey(m => m.Id);
            move.HasIndex(m => new { m.Name, m.Id });
            move.HasOne<ParameterSet>().WithMany().HasForeignKey(m => m.Name).OnDelete(DeleteBehavior.Restrict);
            move.Property(m => m.Name).HasMaxLength(ParameterSet.NameMaxLength);
            move.Property(m => m.Kind).HasMaxLength(32);
            move.Property(m => m.Reason).HasMaxLength(ParameterSetVersion.DescriptionMaxLength);
            move.Property(m => m.MovedBy).HasMaxLength(PrincipalMaxLength);
        });
        modelBuilder.AddOutbox();
    }
}

internal static class JsonDictionaryProperty
{
    /// <summary>Stores a string dictionary as one <c>jsonb</c> value, compared by content.</summary>
    public static PropertyBuilder<Dictionary<string, string>> AsJsonDictionary(this PropertyBuilder<Dictionary<string, string>> property) => property
        .HasColumnType("jsonb")
        .HasConversion(
            tags => JsonSerializer.Serialize(tags, JsonSerializerOptions.Default),
            json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
            new ValueComparer<Dictionary<string, string>>(
                (left, right) => left!.Count == right!.Count && !left.Except(right).Any(),
                tags => tags.Aggregate(0, (hash, tag) => hash ^ HashCode.Combine(tag.Key, tag.Value)),
                tags => new Dictionary<string, string>(tags)));
}
