using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Server;

namespace NovaBrain.Auth.SigningKeys;

/// <summary>
/// The token server's RSA keys, read from the database once per process: <c>sig</c> keys sign tokens, <c>enc</c>
/// keys encrypt authorization codes, refresh tokens and the external-login client's state. Each list is newest
/// first; the newest key is the one in use, the older ones still verify and decrypt what they produced.
/// </summary>
/// <remarks>
/// Rotation happens when a process starts: replicas that were already running keep their keys until their own
/// restart, which is why a replaced key stays valid for a whole rotation interval.
/// </remarks>
public sealed partial class SigningKeyRing(
    IServiceScopeFactory scopeFactory,
    IOptions<SigningKeyOptions> keyOptions,
    IOptions<TokenOptions> tokenOptions,
    TimeProvider timeProvider,
    ILogger<SigningKeyRing> logger)
{
    public const string SignatureUse = "sig";
    public const string EncryptionUse = "enc";

    private const long LockKey = 0x4E42_4B45_5953; // "NBKEYS"
    private const int KeySizeInBits = 2048;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private LoadedKeys? _keys;

    /// <summary>Newest first: OpenIddict signs with the first.</summary>
    public IReadOnlyList<RsaSecurityKey> SigningKeys => Keys.Signing;

    /// <summary>Newest first: OpenIddict encrypts with the first.</summary>
    public IReadOnlyList<RsaSecurityKey> EncryptionKeys => Keys.Encryption;

    // OpenIddict builds its options on first use, normally after SigningKeyLoader has run; this covers anything
    // that asks earlier.
    private LoadedKeys Keys => _keys ?? LoadAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Reads the keys, creating a new one of each use that is missing or due for rotation.</summary>
    public async Task<LoadedKeys> LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _keys ??= await ReadOrRotateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<LoadedKeys> ReadOrRotateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<AuthContext>();
        await using var _ = await AdvisoryLock.AcquireAsync(context, LockKey, cancellationToken);

        var now = timeProvider.GetUtcNow();
        var interval = keyOptions.Value.RotationInterval;
        var keptAfterReplacement = interval > tokenOptions.Value.RefreshTokenLifetime ? interval : tokenOptions.Value.RefreshTokenLifetime;
        var stored = await context.SigningKeys.OrderByDescending(key => key.CreatedAt).ToListAsync(cancellationToken);

        var keys = new LoadedKeys(InUse(SignatureUse), InUse(EncryptionUse));
        await context.SaveChangesAsync(cancellationToken);
        return keys;

        // The newest key of the use (a new one when due), then the older ones not yet retired; retired ones are deleted.
        RsaSecurityKey[] InUse(string use)
        {
            var ofUse = stored.Where(key => key.Use == use).ToList();
            var newest = ofUse.FirstOrDefault();
            if (newest is null || newest.CreatedAt + interval <= now)
            {
                if (newest is not null && newest.RetiresAt < now + keptAfterReplacement)
                {
                    newest.RetiresAt = now + keptAfterReplacement;
                }
                newest = Create(use, now, interval);
                context.SigningKeys.Add(newest);
                ofUse.Insert(0, newest);
                LogKeyCreated(use, newest.Id);
            }

            foreach (var retired in ofUse.Where(key => key != newest && key.RetiresAt <= now))
            {
                context.SigningKeys.Remove(retired);
            }
            return ofUse.Where(key => key == newest || key.RetiresAt > now).Select(ToSecurityKey).ToArray();
        }
    }

    private static SigningKey Create(string use, DateTimeOffset now, TimeSpan interval)
    {
        using var rsa = RSA.Create(KeySizeInBits);
        return new SigningKey
        {
            Id = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            Use = use,
            PrivateKey = rsa.ExportPkcs8PrivateKey(),
            CreatedAt = now,
            RetiresAt = now + 2 * interval,
        };
    }

    private static RsaSecurityKey ToSecurityKey(SigningKey stored)
    {
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(stored.PrivateKey, out _);
        return new RsaSecurityKey(rsa) { KeyId = stored.Id };
    }

    public sealed record LoadedKeys(IReadOnlyList<RsaSecurityKey> Signing, IReadOnlyList<RsaSecurityKey> Encryption);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created a new {Use} key {KeyId}; it is the one in use from now on")]
    private partial void LogKeyCreated(string use, string keyId);
}
