using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using OpenIddict.Abstractions;
using OpenIddict.Client.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Account;

/// <summary>
/// Signing in with another identity provider. An external account signs in as the NovaBrain user it is linked to;
/// it is linked either explicitly (a signed-in user visits <c>/account/link/{provider}</c>) or, the first time,
/// by email when the provider vouches the email is verified and a user has it. Nobody is created from an external
/// account: without self-registration, an unknown one is refused.
/// </summary>
public static class ExternalLoginEndpoints
{
    public const string ExternalPath = "/account/external";
    public const string LinkPath = "/account/link";
    public const string CallbackPath = "/callback/login";

    // Travels in OpenIddict's protected state token, so the callback knows the flow was a link request by this user.
    private const string LinkUserProperty = ".novabrain.link_user";

    private static readonly string[] GetAndPost = [HttpMethods.Get, HttpMethods.Post];

    public static IEndpointRouteBuilder MapExternalLoginEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/v1/external-providers", ListProviders)
            .AllowAnonymous()
            .WithTags("External login")
            .WithName("ListExternalProviders")
            .WithSummary("Identity providers users may sign in with")
            .WithDescription("Each provider's name (as in /account/external/{name}) and display name.");

        app.MapGet($"{ExternalPath}/{{provider}}", SignInWith).AllowAnonymous().ExcludeFromDescription();
        app.MapGet($"{LinkPath}/{{provider}}", Link).AllowAnonymous().ExcludeFromDescription();
        // OpenIddict has exchanged the code and validated the provider's tokens when this runs.
        app.MapMethods($"{CallbackPath}/{{provider}}", GetAndPost, Callback).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static Ok<ExternalProvider[]> ListProviders(ExternalProviderCatalog providers) => TypedResults.Ok(providers.All.ToArray());

    public static Results<ChallengeHttpResult, ContentHttpResult> SignInWith(
        string provider, string? returnUrl, HttpContext httpContext, ExternalProviderCatalog providers) =>
        providers.Find(provider) is { } known
            ? Challenge(known, AccountEndpoints.LocalUrlOrNull(returnUrl) ?? AccountEndpoints.LoginPath, linkUserId: null)
            : UnknownProvider(httpContext);

    public static async Task<Results<ChallengeHttpResult, RedirectHttpResult, ContentHttpResult>> Link(
        string provider, HttpContext httpContext, ExternalProviderCatalog providers, UserManager<AuthUser> users)
    {
        if (providers.Find(provider) is not { } known)
        {
            return UnknownProvider(httpContext);
        }
        var session = await httpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded || await users.GetUserAsync(session.Principal) is not { } user)
        {
            return TypedResults.Redirect(AccountEndpoints.LoginUrl(AccountEndpoints.LinkUrl(known.Name)));
        }
        return Challenge(known, AccountEndpoints.LoginPath, user.Id);
    }

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> Callback(
        string provider, HttpContext httpContext, [AsParameters] ExternalLoginServices services, CancellationToken cancellationToken)
    {
        var result = await httpContext.AuthenticateAsync(OpenIddictClientAspNetCoreDefaults.AuthenticationScheme);
        var known = services.Providers.Find(result.Principal?.GetClaim(Claims.Private.ProviderName));
        if (!result.Succeeded || known is null || !string.Equals(known.Name, provider, StringComparison.OrdinalIgnoreCase))
        {
            return Page(httpContext, "Sign-in failed", "The sign-in with the external provider did not complete. Please try again.", StatusCodes.Status400BadRequest);
        }

        var external = result.Principal!;
        var subject = external.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? external.GetClaim(Claims.Subject);
        if (string.IsNullOrEmpty(subject))
        {
            return Page(httpContext, "Sign-in failed", $"{known.DisplayName} did not say who you are.", StatusCodes.Status400BadRequest);
        }
        var login = new UserLoginInfo(known.Name, subject, known.DisplayName);

        if (result.Properties?.Items.TryGetValue(LinkUserProperty, out var linkUserId) is true && linkUserId is not null)
        {
            return await LinkAsync(httpContext, services, login, linkUserId, cancellationToken);
        }

        var user = await services.Users.FindByLoginAsync(login.LoginProvider, login.ProviderKey);
        var linkedByEmail = false;
        if (user is null && VerifiedEmail(external) is { } email)
        {
            user = await services.Users.FindByEmailAsync(email);
            linkedByEmail = user is not null;
        }

        if (user is null)
        {
            services.Outbox.Add(new UserSignInFailed(VerifiedEmail(external) ?? $"{known.Name}:{subject}", "external-account-not-linked", null));
            await services.Context.SaveChangesAsync(cancellationToken);
            return Page(httpContext, "No NovaBrain account",
                $"No NovaBrain account is linked to this {known.DisplayName} account. Sign in with your password and link it " +
                "from your account page, or ask an administrator for an account.",
                StatusCodes.Status403Forbidden);
        }
        if (await SignInPolicy.RefusalAsync(services.Users, user) is { } refusal)
        {
            services.Outbox.Add(new UserSignInFailed(user.UserName!, refusal, null));
            await services.Context.SaveChangesAsync(cancellationToken);
            return Page(httpContext, "Sign-in refused", "This account may not sign in.", StatusCodes.Status403Forbidden);
        }
        if (linkedByEmail)
        {
            var added = await services.Users.AddLoginAsync(user, login);
            if (!added.Succeeded)
            {
                return Page(httpContext, "Sign-in failed", string.Join(" ", added.Errors.Select(error => error.Description)), StatusCodes.Status409Conflict);
            }
            services.Outbox.Add(new ExternalLoginLinked(user.Id, user.UserName!, known.Name, "verified-email", LinkedBy: null));
        }

        await services.SignInManager.SignInAsync(user, isPersistent: false, authenticationMethod: known.Name);
        services.Outbox.Add(new UserSignedIn(user.Id, user.UserName!, $"external:{known.Name}", ClientId: null));
        await services.Context.SaveChangesAsync(cancellationToken);
        return TypedResults.Redirect(AccountEndpoints.LocalUrlOrNull(result.Properties?.RedirectUri) ?? AccountEndpoints.LoginPath);
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> LinkAsync(
        HttpContext httpContext, ExternalLoginServices services, UserLoginInfo login, string linkUserId, CancellationToken cancellationToken)
    {
        // The link is made for the user who asked for it, and only while that user is still the one signed in.
        var session = await httpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await services.Users.GetUserAsync(session.Principal) : null;
        if (user is null || user.Id != linkUserId)
        {
            return Page(httpContext, "Link refused", "Sign in again, then link the account.", StatusCodes.Status403Forbidden);
        }

        var owner = await services.Users.FindByLoginAsync(login.LoginProvider, login.ProviderKey);
        if (owner is not null && owner.Id != user.Id)
        {
            return Page(httpContext, "Link refused",
                $"This {login.ProviderDisplayName} account is already linked to another NovaBrain user.", StatusCodes.Status409Conflict);
        }
        if (owner is null)
        {
            var added = await services.Users.AddLoginAsync(user, login);
            if (!added.Succeeded)
            {
                return Page(httpContext, "Link refused", string.Join(" ", added.Errors.Select(error => error.Description)), StatusCodes.Status409Conflict);
            }
            services.Outbox.Add(new ExternalLoginLinked(user.Id, user.UserName!, login.LoginProvider, "explicit", LinkedBy: user.Id));
            await services.Context.SaveChangesAsync(cancellationToken);
        }
        return AccountPages.SignedIn(httpContext, services.Antiforgery.GetAndStoreTokens(httpContext), user.UserName!,
            services.Providers.All, $"Your {login.ProviderDisplayName} account is linked: you can sign in with it.");
    }

    /// <summary>The email, only when the provider states it is verified.</summary>
    private static string? VerifiedEmail(ClaimsPrincipal external)
    {
        var email = external.GetClaim(Claims.Email) ?? external.FindFirst(ClaimTypes.Email)?.Value;
        var verified = string.Equals(external.GetClaim(Claims.EmailVerified), "true", StringComparison.OrdinalIgnoreCase);
        return verified && !string.IsNullOrWhiteSpace(email) ? email : null;
    }

    private static ChallengeHttpResult Challenge(ExternalProvider provider, string returnUrl, string? linkUserId)
    {
        var items = new Dictionary<string, string?> { [OpenIddictClientAspNetCoreConstants.Properties.ProviderName] = provider.Name };
        if (linkUserId is not null)
        {
            items[LinkUserProperty] = linkUserId;
        }
        return TypedResults.Challenge(new AuthenticationProperties(items) { RedirectUri = returnUrl },
            [OpenIddictClientAspNetCoreDefaults.AuthenticationScheme]);
    }

    private static ContentHttpResult UnknownProvider(HttpContext httpContext) =>
        Page(httpContext, "Unknown provider", "There is no such sign-in provider.", StatusCodes.Status404NotFound);

    private static ContentHttpResult Page(HttpContext httpContext, string title, string message, int statusCode) =>
        AccountPages.Message(httpContext, title, message, statusCode);
}

public sealed record ExternalLoginServices(
    ExternalProviderCatalog Providers,
    UserManager<AuthUser> Users,
    SignInManager<AuthUser> SignInManager,
    IAntiforgery Antiforgery,
    AuthContext Context,
    IntegrationEventOutbox<AuthContext> Outbox);
