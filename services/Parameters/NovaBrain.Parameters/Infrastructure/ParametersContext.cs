using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Parameters.Blobs;

namespace NovaBrain.Parameters.Infrastructure;

/// <summary>The Parameters service's own database: parameter sets, versions and blobs.</summary>
public sealed class ParametersContext(DbContextOptions<ParametersContext> options) : DbContext(options)
{
    public const int PrincipalMaxLength = 200;

    public DbSet<Blob> Blobs => Set<Blob>();

    public DbSet<Upload> Uploads => Set<Upload>();

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
        modelBuilder.AddOutbox();
    }
}
