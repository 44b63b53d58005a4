namespace NovaBrain.Auth.ApiKeys;

/// <summary>
/// An API key as stored: the lookup prefix and the SHA-256 of the whole key, never the key itself.
/// Its permissions are a subset of its owner's, and shrink with them.
/// </summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The random part after <c>nbk_</c> that finds the key; unique.</summary>
    public required string Prefix { get; set; }

    public required byte[] Hash { get; set; }

    /// <summary>The user or service account the key acts as.</summary>
    public required string OwnerId { get; set; }

    public List<string> Permissions { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }
}
