using Microsoft.AspNetCore;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;
using NovaBrain.Auth.Account;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Users;
using NovaBrain.Security;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Server;

/// <summary>
/// The OpenID Connect endpoints OpenIddict passes through to us once it has validated the request (client,
/// grant, scopes, PKCE, tokens): here we only decide who the tokens are for. Discovery, JWKS, introspection and
/// revocation OpenIddict answers alone. Protocol endpoints, so anonymous at the ASP.NET Core level and left out
/// of the REST API's OpenAPI document.
/// </summary>
public static class ConnectEndpoints
{
    public const string TokenPath = "/connect/token";
    public const string AuthorizationPath = "/connect/authorize";
    public const string IntrospectionPath = "/connect/introspect";
    public const string RevocationPath = "/connect/revoke";
    public const string UserInfoPath = "/connect/userinfo";
    public const string EndSessionPath = "/connect/endsession";
    public const string ConfigurationPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks";

    private static readonly string[] GetAndPost = [HttpMethods.Get, HttpMethods.Post];

    public static IEndpointRouteBuilder MapConnectEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(TokenPath, Exchange).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods(AuthorizationPath, GetAndPost, Authorize).AllowAnonymous().ExcludeFromDescription();
        // OpenIddict has already rejected a missing or invalid access token when the handler runs.
        app.MapMethods(UserInfoPath, GetAndPost, UserInfo).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods(EndSessionPath, GetAndPost, EndSession).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<SignInHttpResult, ForbidHttpResult>> Exchange(
        HttpContext httpContext, [AsParameters] GrantServices services, CancellationToken cancellationToken)
    {
        var request = OpenIddictRequestOf(httpContext);
        if (request.IsPasswordGrantType())
        {
            var user = await services.PasswordSignIn.CheckAsync(
                request.Username!, request.Password!, "password", request.ClientId, cancellationToken);
            // One answer for every refusal: it must not tell whether the user exists.
            return user is null
                ? Forbid(Errors.InvalidGrant, "The user name or password is incorrect, or the account may not sign in.")
                : SignIn(await services.Principals.ForUserAsync(user, request.GetScopes(), redeemed: null, cancellationToken));
        }

        if (request.IsClientCredentialsGrantType())
        {
            return SignIn(await services.Principals.ForClientAsync(request.ClientId!, request.GetScopes(), cancellationToken));
        }

        // Refresh token or authorization code, both already validated: the user must still be allowed in.
        var redeemed = (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var stillAllowed = redeemed?.GetClaim(Claims.Subject) is { } userId
            && await services.Users.FindByIdAsync(userId) is { } current
            && await SignInPolicy.RefusalAsync(services.Users, current) is null
                ? current
                : null;
        return stillAllowed is null
            ? Forbid(Errors.InvalidGrant, "The token is no longer valid: the account is gone or may not sign in.")
            : SignIn(await services.Principals.ForUserAsync(stillAllowed, redeemed!.GetScopes(), redeemed, cancellationToken));
    }

    public static async Task<Results<RedirectHttpResult, SignInHttpResult, ForbidHttpResult>> Authorize(
        HttpContext httpContext, [AsParameters] AuthorizeServices services, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var request = OpenIddictRequestOf(httpContext);
        var session = await httpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || request.HasPromptValue(PromptValues.Login) || IsOlderThanMaxAge(session, request, timeProvider))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Forbid(Errors.LoginRequired, "The user is not signed in.");
            }
            // The browser flow is the one place where an unauthenticated caller is redirected.
            return TypedResults.Redirect(AccountEndpoints.LoginUrl(await ReturnUrlAsync(httpContext, cancellationToken)));
        }

        var user = await services.Users.GetUserAsync(session.Principal);
        if (user is null || await SignInPolicy.RefusalAsync(services.Users, user) is not null)
        {
            await httpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return Forbid(Errors.AccessDenied, "The account may not sign in.");
        }

        var application = await services.Applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("OpenIddict validated a client that cannot be found.");
        // First-party clients (novabrain-cli) have implicit consent; there is no consent page for any other.
        if (!await services.Applications.HasConsentTypeAsync(application, ConsentTypes.Implicit, cancellationToken))
        {
            return Forbid(Errors.ConsentRequired, "This client needs the user's consent, which this server does not ask for.");
        }

        return SignIn(await services.Principals.ForUserAsync(user, request.GetScopes(), redeemed: null, cancellationToken));
    }

    public static async Task<Results<Ok<Dictionary<string, object>>, ChallengeHttpResult>> UserInfo(
        HttpContext httpContext, UserManager<AuthUser> users, PermissionResolver permissions, CancellationToken cancellationToken)
    {
        var principal = (await httpContext.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var user = principal?.GetClaim(Claims.Subject) is { } userId ? await users.FindByIdAsync(userId) : null;
        if (principal is null || user is null || await SignInPolicy.RefusalAsync(users, user) is not null)
        {
            return TypedResults.Challenge(
                ErrorProperties(Errors.InvalidToken, "The access token is not a user's, or the user may no longer sign in."),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { [Claims.Subject] = user.Id };
        if (principal.HasScope(Scopes.Profile))
        {
            claims[Claims.Name] = user.UserName!;
        }
        if (principal.HasScope(Scopes.Email) && user.Email is not null)
        {
            claims[Claims.Email] = user.Email;
            claims[Claims.EmailVerified] = user.EmailConfirmed;
        }
        if (principal.HasScope(Scopes.Roles))
        {
            claims[Claims.Role] = await users.GetRolesAsync(user);
            claims[NovaBrainClaimTypes.Permission] = await permissions.ForUserAsync(user.Id, cancellationToken);
        }
        return TypedResults.Ok(claims);
    }

    public static async Task<SignOutHttpResult> EndSession(SignInManager<AuthUser> signInManager)
    {
        await signInManager.SignOutAsync();
        // OpenIddict sends the browser to the client's registered post_logout_redirect_uri, when it gave one.
        return TypedResults.SignOut(
            new AuthenticationProperties { RedirectUri = AccountEndpoints.LoginPath },
            [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static OpenIddictRequest OpenIddictRequestOf(HttpContext httpContext) =>
        httpContext.GetOpenIddictServerRequest()
        ?? throw new InvalidOperationException("The OpenIddict server request cannot be retrieved.");

    private static bool IsOlderThanMaxAge(AuthenticateResult session, OpenIddictRequest request, TimeProvider timeProvider) =>
        request.MaxAge is { } maxAge
        && session.Properties?.IssuedUtc is { } issued
        && timeProvider.GetUtcNow() - issued > TimeSpan.FromSeconds(maxAge);

    /// <summary>The same authorization request, minus <c>prompt=login</c> (else the login page would loop).</summary>
    private static async Task<string> ReturnUrlAsync(HttpContext httpContext, CancellationToken cancellationToken)
    {
        var parameters = httpContext.Request.HasFormContentType
            ? (await httpContext.Request.ReadFormAsync(cancellationToken)).ToDictionary()
            : httpContext.Request.Query.ToDictionary();
        if (parameters.TryGetValue(Parameters.Prompt, out var prompt))
        {
            parameters[Parameters.Prompt] = string.Join(' ',
                prompt.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(value => value != PromptValues.Login));
        }
        var query = QueryString.Create(parameters.Where(parameter => !StringValues.IsNullOrEmpty(parameter.Value)));
        return httpContext.Request.PathBase + httpContext.Request.Path + query;
    }

    private static SignInHttpResult SignIn(ClaimsPrincipal principal) =>
        TypedResults.SignIn(principal, properties: null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private static ForbidHttpResult Forbid(string error, string description) =>
        TypedResults.Forbid(ErrorProperties(error, description), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    private static AuthenticationProperties ErrorProperties(string error, string description) => new(new Dictionary<string, string?>
    {
        [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
        [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
    });
}

public sealed record GrantServices(PasswordSignIn PasswordSignIn, UserManager<AuthUser> Users, TokenPrincipals Principals);

public sealed record AuthorizeServices(UserManager<AuthUser> Users, IOpenIddictApplicationManager Applications, TokenPrincipals Principals);
