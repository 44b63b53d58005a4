using NovaBrain.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Server;

/// <summary>The scopes the token server knows, and the audience rule of the contract.</summary>
public static class ApiScopes
{
    /// <summary><c>api:{prefix}</c> for every NovaBrain API.</summary>
    public static IReadOnlyList<string> Api { get; } = ApiAudiences.Prefixes.Select(ApiAudiences.Scope).ToArray();

    public static IReadOnlyList<string> All { get; } =
        [Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles, Scopes.OfflineAccess, .. Api];

    /// <summary>The audiences of the granted <c>api:*</c> scopes, or every API's when none was asked for.</summary>
    public static IReadOnlyList<string> Audiences(IEnumerable<string> scopes)
    {
        var audiences = scopes
            .Where(scope => scope.StartsWith(ApiAudiences.ScopePrefix, StringComparison.Ordinal))
            .Select(scope => ApiAudiences.For(scope[ApiAudiences.ScopePrefix.Length..]))
            .Where(audience => ApiAudiences.All.Contains(audience))
            .Distinct()
            .ToArray();
        return audiences.Length == 0 ? ApiAudiences.All : audiences;
    }
}
