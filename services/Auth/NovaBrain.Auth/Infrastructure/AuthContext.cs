using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.ApiKeys;
using NovaBrain.Auth.Clients;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.SigningKeys;
using NovaBrain.Auth.Users;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Auth.Infrastructure;

/// <summary>
/// The auth service's own database: Identity's users and roles, OpenIddict's applications, authorizations and
/// tokens, role permissions, API keys, machine clients, signing keys and Data Protection keys.
/// </summary>
public sealed class AuthContext(DbContextOptions<AuthContext> options)
    : IdentityDbContext<AuthUser, AuthRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<RolePermission> RolePermissions => Set<RolePermission>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<MachineClient> MachineClients => Set<MachineClient>();

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseOpenIddict();
        modelBuilder.AddOutbox();

        modelBuilder.Entity<RolePermission>(permission =>
        {
            permission.HasKey(p => new { p.RoleId, p.Permission });
            permission.Property(p => p.Permission).HasMaxLength(64);
            permission.HasOne<AuthRole>().WithMany(role => role.Permissions).HasForeignKey(p => p.RoleId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiKey>(key =>
        {
            key.HasIndex(k => k.Prefix).IsUnique();
            key.HasIndex(k => k.OwnerId);
            key.Property(k => k.Name).HasMaxLength(200);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.HasOne<AuthUser>().WithMany().HasForeignKey(k => k.OwnerId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MachineClient>(client =>
        {
            client.HasKey(c => c.ClientId);
            client.Property(c => c.ClientId).HasMaxLength(100);
        });

        modelBuilder.Entity<SigningKey>(key =>
        {
            key.Property(k => k.Id).HasMaxLength(64);
            key.Property(k => k.Use).HasMaxLength(3);
        });
    }
}
