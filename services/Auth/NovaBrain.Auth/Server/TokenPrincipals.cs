using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Users;
using NovaBrain.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Server;

/// <summary>
/// The principals OpenIddict turns into tokens. Roles and permissions are read now, at every grant (refresh and
/// code exchange included), so a changed role applies to the next token.
/// </summary>
public sealed class TokenPrincipals(UserManager<AuthUser> users, PermissionResolver permissions)
{
    /// <param name="user">The user the tokens are for.</param>
    /// <param name="scopes">The granted scopes.</param>
    /// <param name="redeemed">
    /// The principal of the refresh token or authorization code being redeemed: its OpenIddict claims (the
    /// authorization the token family belongs to among them) carry over, the user's claims are replaced.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<ClaimsPrincipal> ForUserAsync(
        AuthUser user, IEnumerable<string> scopes, ClaimsPrincipal? redeemed, CancellationToken cancellationToken)
    {
        var identity = NewIdentity(redeemed?.Claims);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(Claims.Email, user.Email)
            .SetClaims(Claims.Role, [.. await users.GetRolesAsync(user)])
            .SetClaims(NovaBrainClaimTypes.Permission, [.. await permissions.ForUserAsync(user.Id, cancellationToken)]);
        return Complete(identity, scopes);
    }

    public async Task<ClaimsPrincipal> ForClientAsync(string clientId, IEnumerable<string> scopes, CancellationToken cancellationToken)
    {
        var identity = NewIdentity(claims: null);
        identity.SetClaim(Claims.Subject, clientId)
            .SetClaims(NovaBrainClaimTypes.Permission, [.. await permissions.ForClientAsync(clientId, cancellationToken)]);
        return Complete(identity, scopes);
    }

    private static ClaimsIdentity NewIdentity(IEnumerable<Claim>? claims) =>
        new(claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);

    private static ClaimsPrincipal Complete(ClaimsIdentity identity, IEnumerable<string> scopes)
    {
        var granted = scopes.ToArray();
        identity.SetScopes(granted).SetResources(ApiScopes.Audiences(granted));
        identity.SetDestinations(DestinationsOf);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>
    /// Everything the APIs need goes into the access token; the identity token gets what its scopes ask for.
    /// Claims not named here (Identity's security stamp, say) go nowhere.
    /// </summary>
    private static IEnumerable<string> DestinationsOf(Claim claim)
    {
        var identity = claim.Subject!;
        return claim.Type switch
        {
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name => WithIdentityTokenIf(identity.HasScope(Scopes.Profile)),
            Claims.Email => WithIdentityTokenIf(identity.HasScope(Scopes.Email)),
            Claims.Role or NovaBrainClaimTypes.Permission => WithIdentityTokenIf(identity.HasScope(Scopes.Roles)),
            _ => [],
        };

        static string[] WithIdentityTokenIf(bool scopeGranted) =>
            scopeGranted ? [Destinations.AccessToken, Destinations.IdentityToken] : [Destinations.AccessToken];
    }
}
