using Microsoft.EntityFrameworkCore;

namespace NovaBrain.Auth.Infrastructure;

/// <summary>
/// A PostgreSQL session lock that serialises start-up work across replicas (creating keys, seeding roles and
/// clients): the second replica waits, then finds the first one's rows instead of creating its own.
/// </summary>
public sealed class AdvisoryLock : IAsyncDisposable
{
    private readonly DbContext _context;
    private readonly long _key;

    private AdvisoryLock(DbContext context, long key) => (_context, _key) = (context, key);

    /// <summary>
    /// Opens the context's connection and holds it until disposed, so every command run through
    /// <paramref name="context"/> meanwhile (stores and managers of the same scope included) runs under the lock.
    /// </summary>
    public static async Task<AdvisoryLock> AcquireAsync(DbContext context, long key, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken);
        await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({key})", cancellationToken);
        return new AdvisoryLock(context, key);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({_key})");
        }
        finally
        {
            await _context.Database.CloseConnectionAsync();
        }
    }
}
