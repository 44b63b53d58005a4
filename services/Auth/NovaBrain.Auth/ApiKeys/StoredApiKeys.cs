using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Security;

namespace NovaBrain.Auth.ApiKeys;

/// <summary>Why a key was refused, as <see cref="ApiKeyValidation.Reason"/> names it.</summary>
public static class ApiKeyRejections
{
    public const string Malformed = "malformed";
    public const string Unknown = "unknown";
    public const string Revoked = "revoked";
    public const string Expired = "expired";
    public const string OwnerDisabled = "owner-disabled";
    public const string OwnerLockedOut = "owner-locked-out";
}

/// <summary>
/// Checks API keys against the database: who a key acts as and what it may do at this moment, which is the part of
/// the key's permissions that its owner still holds.
/// </summary>
public sealed partial class StoredApiKeys(
    AuthContext context, PermissionResolver permissions, TimeProvider time, ILogger<StoredApiKeys> logger) : IApiKeyValidator
{
    /// <summary>A validation per request must not mean a write per request.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<ApiKeyValidation> ValidateAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.TryGetPrefix(key, out var prefix))
        {
            return Rejected(ApiKeyRejections.Malformed);
        }

        var found = await context.ApiKeys.AsNoTracking()
            .Where(apiKey => apiKey.Prefix == prefix)
            .Join(context.Users, apiKey => apiKey.OwnerId, owner => owner.Id, (apiKey, owner) => new
            {
                Key = apiKey,
                owner.UserName,
                owner.IsDisabled,
                LockedOutUntil = owner.LockoutEnabled ? owner.LockoutEnd : null,
            })
            .SingleOrDefaultAsync(cancellationToken);

        // An unknown prefix and a wrong secret read the same to the caller.
        if (found is null || !CryptographicOperations.FixedTimeEquals(found.Key.Hash, ApiKeyFormat.Hash(key)))
        {
            return Rejected(ApiKeyRejections.Unknown, prefix);
        }

        var now = time.GetUtcNow();
        var reason = found switch
        {
            { Key.RevokedAt: not null } => ApiKeyRejections.Revoked,
            { Key.ExpiresAt: { } expiresAt } when expiresAt <= now => ApiKeyRejections.Expired,
            { IsDisabled: true } => ApiKeyRejections.OwnerDisabled,
            { LockedOutUntil: { } until } when until > now => ApiKeyRejections.OwnerLockedOut,
            _ => null,
        };
        if (reason is not null)
        {
            return Rejected(reason, prefix);
        }

        var ownerPermissions = await permissions.ForUserAsync(found.Key.OwnerId, cancellationToken);
        var granted = found.Key.Permissions.Intersect(ownerPermissions, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

        if (found.Key.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            var staleBefore = now - LastUsedResolution;
            // The condition repeats the check in the database, so concurrent validations write once.
            await context.ApiKeys
                .Where(apiKey => apiKey.Id == found.Key.Id && (apiKey.LastUsedAt == null || apiKey.LastUsedAt <= staleBefore))
                .ExecuteUpdateAsync(update => update.SetProperty(apiKey => apiKey.LastUsedAt, now), cancellationToken);
        }

        return new ApiKeyValidation(true, null, found.Key.Id, found.Key.OwnerId, found.UserName, granted, found.Key.ExpiresAt);
    }

    private ApiKeyValidation Rejected(string reason, string? prefix = null)
    {
        LogRejected(prefix, reason);
        return new ApiKeyValidation(false, reason, null, null, null, [], null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "API key {Prefix} refused: {Reason}")]
    private partial void LogRejected(string? prefix, string reason);
}
