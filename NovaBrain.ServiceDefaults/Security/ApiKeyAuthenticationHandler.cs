using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace NovaBrain.Security;

/// <summary>
/// Authenticates <c>Authorization: ApiKey &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> through
/// <see cref="IApiKeyValidator"/>. The principal is the key's owner (<c>sub</c>, <c>name</c>) holding the key's
/// permissions, with the key's id in <c>api_key_id</c>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IApiKeyValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string HeaderName = "X-Api-Key";

    private const string AuthorizationScheme = "ApiKey ";

    /// <summary>Whether the request presents an API key (whether or not it is valid).</summary>
    public static bool HasApiKey(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName) ||
        request.Headers.Authorization.ToString().StartsWith(AuthorizationScheme, StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasApiKey(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var key = ReadKey(Request);
        if (key.Length == 0)
        {
            return AuthenticateResult.Fail("The API key is empty.");
        }

        var validation = await validator.ValidateAsync(key, Context.RequestAborted);
        if (!validation.Valid || validation.Subject is null)
        {
            return AuthenticateResult.Fail($"The API key is not valid: {validation.Reason ?? "unknown"}.");
        }

        List<Claim> claims = [new(NovaBrainClaimTypes.Subject, validation.Subject)];
        if (validation.Name is not null)
        {
            claims.Add(new(NovaBrainClaimTypes.Name, validation.Name));
        }
        if (validation.KeyId is { } keyId)
        {
            claims.Add(new(NovaBrainClaimTypes.ApiKeyId, keyId.ToString()));
        }
        claims.AddRange(validation.Permissions.Select(permission => new Claim(NovaBrainClaimTypes.Permission, permission)));

        var identity = new ClaimsIdentity(claims, Scheme.Name, NovaBrainClaimTypes.Name, NovaBrainClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var challenge = result.Failure is null
            ? NovaBrainAuthenticationSchemes.ApiKey
            : $"{NovaBrainAuthenticationSchemes.ApiKey} error=\"invalid_key\", error_description=\"{result.Failure.Message.Replace('"', '\'')}\"";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.Append(HeaderNames.WWWAuthenticate, challenge);
    }

    private static string ReadKey(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var key = authorization.StartsWith(AuthorizationScheme, StringComparison.OrdinalIgnoreCase)
            ? authorization[AuthorizationScheme.Length..]
            : request.Headers[HeaderName].ToString();
        return key.Trim();
    }
}
