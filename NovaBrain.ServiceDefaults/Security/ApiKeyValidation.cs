namespace NovaBrain.Security;

/// <summary>
/// The auth service's answer about an API key: whom it acts as (<paramref name="Subject"/>, the owner's id, and
/// <paramref name="Name"/>, the owner's user name) and what it may do now (<paramref name="Permissions"/>, the key's
/// permissions that its owner still holds). When <paramref name="Valid"/> is false, <paramref name="Reason"/> says why
/// and nothing else is set.
/// </summary>
public sealed record ApiKeyValidation(bool Valid, string? Reason, Guid? KeyId, string? Subject, string? Name, string[] Permissions, DateTimeOffset? ExpiresAt);
