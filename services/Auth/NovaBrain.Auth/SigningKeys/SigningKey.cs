namespace NovaBrain.Auth.SigningKeys;

/// <summary>
/// An RSA key the token server signs (<c>sig</c>) or encrypts (<c>enc</c>) with, kept in the database so that tokens
/// survive restarts and every replica uses the same keys. A newer key takes over when it is created; older ones stay
/// published until <see cref="RetiresAt"/> so tokens they signed still verify.
/// </summary>
public sealed class SigningKey
{
    public required string Id { get; set; }

    public required string Use { get; set; }

    /// <summary>PKCS#8 private key. The database is the auth service's alone.</summary>
    public required byte[] PrivateKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset RetiresAt { get; set; }
}
