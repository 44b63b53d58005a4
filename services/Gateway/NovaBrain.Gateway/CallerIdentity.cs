using System.Security.Claims;
using NovaBrain.Security;

namespace NovaBrain.Gateway;

/// <summary>Who made a request, as the rate limiter partitions and the access log names it.</summary>
public static class CallerIdentity
{
    /// <summary>
    /// <c>api-key:{key id}</c> for requests made with an API key (each key has its own limit and shows in the access
    /// log by its id, never its value), <c>sub:{subject}</c> for users (and whoever else the token names),
    /// <c>client:{client id}</c> for machine clients without a subject; <see langword="null"/> when unauthenticated.
    /// </summary>
    public static string? Of(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        if (user.FindFirst(NovaBrainClaimTypes.ApiKeyId)?.Value is { Length: > 0 } keyId)
        {
            return $"api-key:{keyId}";
        }
        if (user.FindFirst(NovaBrainClaimTypes.Subject)?.Value is { Length: > 0 } subject)
        {
            return $"sub:{subject}";
        }
        return user.FindFirst(NovaBrainClaimTypes.ClientId)?.Value is { Length: > 0 } clientId ? $"client:{clientId}" : null;
    }
}
