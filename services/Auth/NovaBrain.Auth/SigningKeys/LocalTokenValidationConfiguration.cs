using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace NovaBrain.Auth.SigningKeys;

/// <summary>
/// What the auth service needs to validate its own access tokens (issuer and public signing keys), taken from the
/// key ring instead of from its own discovery document: the service does not call itself over HTTP.
/// </summary>
public sealed class LocalTokenValidationConfiguration(SigningKeyRing keyRing, Uri issuer) : IConfigurationManager<OpenIdConnectConfiguration>
{
    private OpenIdConnectConfiguration? _configuration;

    public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) =>
        Task.FromResult(_configuration ??= Build());

    /// <summary>The keys change only when the process restarts, so there is nothing to refresh.</summary>
    public void RequestRefresh()
    {
    }

    private OpenIdConnectConfiguration Build()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = issuer.AbsoluteUri };
        foreach (var key in keyRing.SigningKeys)
        {
            var publicKey = new RsaSecurityKey(key.Rsa.ExportParameters(includePrivateParameters: false)) { KeyId = key.KeyId };
            configuration.SigningKeys.Add(publicKey);
        }
        return configuration;
    }
}
