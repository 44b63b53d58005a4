using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Parameters.Infrastructure;
using NovaBrain.Security;
using Npgsql;

namespace NovaBrain.Parameters.Blobs;

/// <summary>The <c>Blobs</c> table kept in step with the store: a row for every blob the store holds.</summary>
public static class BlobRecords
{
    /// <summary>The caller's <c>sub</c>, which <c>CreatedBy</c> records.</summary>
    public static string Id(this ClaimsPrincipal caller) =>
        caller.FindFirstValue(NovaBrainClaimTypes.Subject)
        ?? throw new InvalidOperationException("An authenticated caller always carries a 'sub' claim.");

    public static Task<Blob?> FindAsync(this ParametersContext context, BlobDigest digest, CancellationToken cancellationToken) =>
        context.Blobs.AsNoTracking().SingleOrDefaultAsync(blob => blob.Digest == digest.ToString(), cancellationToken);

    /// <summary>
    /// The row of a blob the store holds, added if missing (a new blob, or one whose row a crash lost); when two
    /// callers store the same blob at once, the first row wins.
    /// </summary>
    public static async Task<Blob> RecordAsync(this ParametersContext context, BlobWriteResult stored, ClaimsPrincipal caller, CancellationToken cancellationToken)
    {
        if (await context.FindAsync(stored.Digest, cancellationToken) is { } existing)
        {
            return existing;
        }

        var blob = new Blob
        {
            Digest = stored.Digest.ToString(),
            Size = stored.Size,
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = caller.Id(),
        };
        context.Blobs.Add(blob);
        try
        {
            await context.SaveChangesAsync(cancellationToken);
            return blob;
        }
        catch (DbUpdateException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            context.ChangeTracker.Clear();
            return (await context.FindAsync(stored.Digest, cancellationToken))!;
        }
    }
}
