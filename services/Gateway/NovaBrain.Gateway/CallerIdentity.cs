using System.Security.Claims;
using NovaBrain.Security;

namespace NovaBrain.Gateway;

/// <summary>Who made a request, as the rate limiter partitions and the access log names it.</summary>
public static class CallerIdentity
{
    /// <summary>
    /// <c>sub:{subject}</c> for users (and whoever else the token names), <c>client:{client id}</c> for machine
    /// clients, <c>api-key:{key id}</c> for API keys without an owner; <see langword="null"/> when unauthenticated.
    /// </summary>
    public static string? Of(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        if (user.FindFirst(NovaBrainClaimTypes.Subject)?.Value is { Length: > 0 } subject)
        {
            return $"sub:{subject}";
        }
        if (user.FindFirst(NovaBrainClaimTypes.ClientId)?.Value is { Length: > 0 } clientId)
        {
            return $"client:{clientId}";
        }
        return user.FindFirst(NovaBrainClaimTypes.ApiKeyId)?.Value is { Length: > 0 } keyId ? $"api-key:{keyId}" : null;
    }
}
