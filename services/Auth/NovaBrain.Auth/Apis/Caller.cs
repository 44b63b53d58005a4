using System.Security.Claims;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

/// <summary>What the endpoints need to know about who is calling, read from the token's or API key's claims.</summary>
internal static class Caller
{
    /// <summary>The caller's <c>sub</c>: a user's id, or a client's. Events and <c>CreatedBy</c> name the actor by it.</summary>
    public static string Id(this ClaimsPrincipal caller) =>
        caller.FindFirstValue(NovaBrainClaimTypes.Subject)
        ?? throw new InvalidOperationException("An authenticated caller always carries a 'sub' claim.");

    public static bool Holds(this ClaimsPrincipal caller, string permission) =>
        caller.HasClaim(NovaBrainClaimTypes.Permission, permission);

    public static bool ActsThroughApiKey(this ClaimsPrincipal caller) =>
        caller.HasClaim(claim => claim.Type == NovaBrainClaimTypes.ApiKeyId);
}
