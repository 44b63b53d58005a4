namespace NovaBrain.Security;

/// <summary>
/// What the auth service says about an API key (<c>POST /api/auth/v1/api-keys/validate</c>). When valid,
/// <paramref name="Subject"/> is the key's owner and <paramref name="Permissions"/> what the key may do now:
/// its own permissions that its owner still holds.
/// </summary>
/// <param name="Reason">Why the key is not valid (unknown, revoked, expired, owner disabled); null when valid.</param>
public sealed record ApiKeyValidation(
    bool Valid,
    string? Reason,
    Guid? KeyId,
    string? Subject,
    string? Name,
    string[] Permissions,
    DateTimeOffset? ExpiresAt);

/// <summary>
/// Says whether an API key is valid and whose it is. Every service asks the auth service
/// (<see cref="RemoteApiKeyValidator"/>); the auth service replaces it with one that reads its database.
/// </summary>
public interface IApiKeyValidator
{
    Task<ApiKeyValidation> ValidateAsync(string key, CancellationToken cancellationToken);
}
