using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Client;
using OpenIddict.Server;

namespace NovaBrain.Auth.SigningKeys;

/// <summary>
/// Hands the key ring to OpenIddict's server (tokens) and client (external-login state), newest key first.
/// OpenIddict builds its options once, on first use, so this runs after <see cref="SigningKeyLoader"/>.
/// </summary>
internal sealed class KeyRingCredentials(SigningKeyRing keyRing)
    : IConfigureOptions<OpenIddictServerOptions>, IConfigureOptions<OpenIddictClientOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        options.SigningCredentials.AddRange(keyRing.SigningKeys.Select(Signing));
        options.EncryptionCredentials.AddRange(keyRing.EncryptionKeys.Select(Encrypting));
    }

    public void Configure(OpenIddictClientOptions options)
    {
        options.SigningCredentials.AddRange(keyRing.SigningKeys.Select(Signing));
        options.EncryptionCredentials.AddRange(keyRing.EncryptionKeys.Select(Encrypting));
    }

    private static SigningCredentials Signing(RsaSecurityKey key) => new(key, SecurityAlgorithms.RsaSha256);

    private static EncryptingCredentials Encrypting(RsaSecurityKey key) =>
        new(key, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512);
}
