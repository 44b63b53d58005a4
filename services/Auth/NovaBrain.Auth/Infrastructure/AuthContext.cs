using Microsoft.EntityFrameworkCore;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Auth.Infrastructure;

/// <summary>The Auth service's own database: identity, tokens, users, roles and API keys.</summary>
public sealed class AuthContext(DbContextOptions<AuthContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.AddOutbox();
    }
}
