using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Account;

/// <summary>
/// The browser side of sign-in: the login form the authorization endpoint sends people to, sign-out, and (only
/// when <see cref="AccountOptions.SelfRegistration"/> is on) sign-up. Anonymous by nature, and not part of the
/// REST API's OpenAPI document.
/// </summary>
public static class AccountEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    public const string RegisterPath = "/account/register";

    private const string InvalidCredentials = "The user name or password is incorrect, or the account may not sign in.";

    public static string LoginUrl(string? returnUrl) => WithReturnUrl(LoginPath, returnUrl);

    public static string RegisterUrl(string? returnUrl) => WithReturnUrl(RegisterPath, returnUrl);

    public static string ExternalUrl(string provider, string? returnUrl) =>
        WithReturnUrl($"{ExternalLoginEndpoints.ExternalPath}/{Uri.EscapeDataString(provider)}", returnUrl);

    public static string LinkUrl(string provider) => $"{ExternalLoginEndpoints.LinkPath}/{Uri.EscapeDataString(provider)}";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        account.MapGet("/login", LoginPage);
        account.MapPost("/login", Login);
        account.MapGet("/logout", LogoutPage);
        account.MapPost("/logout", Logout);
        account.MapGet("/register", RegisterPage);
        account.MapPost("/register", Register);
        app.MapExternalLoginEndpoints();
        return app;
    }

    public static async Task<ContentHttpResult> LoginPage(string? returnUrl, [AsParameters] AccountPageServices page)
    {
        var returnTo = LocalUrlOrNull(returnUrl);
        var session = await page.HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded && returnTo is null
            ? AccountPages.SignedIn(page.HttpContext, page.Tokens(), session.Principal.Identity?.Name ?? "", page.Providers.All, notice: null)
            : AccountPages.Login(page.HttpContext, page.Tokens(), returnTo, userName: null, error: null, page.Providers.All, page.SelfRegistration);
    }

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> Login(
        [FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
        [AsParameters] AccountPageServices page, PasswordSignIn passwordSignIn, SignInManager<AuthUser> signInManager,
        CancellationToken cancellationToken)
    {
        var returnTo = LocalUrlOrNull(returnUrl);
        var user = string.IsNullOrEmpty(userName) || string.IsNullOrEmpty(password)
            ? null
            : await passwordSignIn.CheckAsync(userName, password, GrantTypes.AuthorizationCode, ClientIdOf(returnTo), cancellationToken);
        if (user is null)
        {
            return AccountPages.Login(page.HttpContext, page.Tokens(), returnTo, userName, InvalidCredentials,
                page.Providers.All, page.SelfRegistration, StatusCodes.Status401Unauthorized);
        }

        await signInManager.SignInAsync(user, isPersistent: false);
        return TypedResults.Redirect(returnTo ?? LoginPath);
    }

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> LogoutPage([AsParameters] AccountPageServices page)
    {
        var session = await page.HttpContext.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded
            ? AccountPages.SignOut(page.HttpContext, page.Tokens())
            : TypedResults.Redirect(LoginPath);
    }

    // A POST with the antiforgery token: a link on another site cannot sign anyone out.
    public static async Task<RedirectHttpResult> Logout([FromForm] string? returnUrl, SignInManager<AuthUser> signInManager)
    {
        await signInManager.SignOutAsync();
        return TypedResults.Redirect(LocalUrlOrNull(returnUrl) ?? LoginPath);
    }

    public static ContentHttpResult RegisterPage(string? returnUrl, [AsParameters] AccountPageServices page) =>
        page.SelfRegistration
            ? AccountPages.Register(page.HttpContext, page.Tokens(), LocalUrlOrNull(returnUrl), userName: null, email: null, error: null)
            : NoSelfRegistration(page.HttpContext);

    public static async Task<Results<RedirectHttpResult, ContentHttpResult>> Register(
        [FromForm] string? userName, [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        [AsParameters] AccountPageServices page, [AsParameters] RegistrationServices registration, CancellationToken cancellationToken)
    {
        if (!page.SelfRegistration)
        {
            return NoSelfRegistration(page.HttpContext);
        }

        var returnTo = LocalUrlOrNull(returnUrl);
        var user = new AuthUser { UserName = userName, Email = email, CreatedAt = DateTimeOffset.UtcNow };
        var created = string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)
            ? IdentityResult.Failed(new IdentityError { Description = "User name, email and password are required." })
            : await registration.Users.CreateAsync(user, password);
        if (created.Succeeded)
        {
            created = await registration.Users.AddToRoleAsync(user, BuiltInRoles.Viewer);
        }
        if (!created.Succeeded)
        {
            return AccountPages.Register(page.HttpContext, page.Tokens(), returnTo, userName, email,
                string.Join(" ", created.Errors.Select(error => error.Description)), StatusCodes.Status400BadRequest);
        }

        registration.Outbox.Add(new UserCreated(user.Id, user.UserName!, user.Email, [BuiltInRoles.Viewer], IsServiceAccount: false, CreatedBy: user.Id));
        await registration.Context.SaveChangesAsync(cancellationToken);
        await registration.SignInManager.SignInAsync(user, isPersistent: false);
        return TypedResults.Redirect(returnTo ?? LoginPath);
    }

    /// <summary><paramref name="url"/> when it stays on this site (a path, not <c>//host</c> or <c>/\host</c>); else null.</summary>
    public static string? LocalUrlOrNull(string? url) =>
        url is ['/'] or ['/', not ('/' or '\\'), ..] && !url.Any(char.IsControl) ? url : null;

    private static ContentHttpResult NoSelfRegistration(HttpContext httpContext) =>
        AccountPages.Message(httpContext, "No sign-up", "Accounts are created by an administrator.", StatusCodes.Status404NotFound);

    /// <summary>The client of the authorization request the login page returns to, for the audit trail.</summary>
    private static string? ClientIdOf(string? returnUrl) =>
        returnUrl?.IndexOf('?') is >= 0 and var start
        && QueryHelpers.ParseQuery(returnUrl[start..]).TryGetValue(Parameters.ClientId, out var clientId)
            ? clientId.ToString()
            : null;

    private static string WithReturnUrl(string path, string? returnUrl) =>
        returnUrl is null ? path : QueryHelpers.AddQueryString(path, "returnUrl", returnUrl);
}

public sealed record AccountPageServices(HttpContext HttpContext, IAntiforgery Antiforgery, ExternalProviderCatalog Providers, IOptions<AccountOptions> Options)
{
    public bool SelfRegistration => Options.Value.SelfRegistration;

    public AntiforgeryTokenSet Tokens() => Antiforgery.GetAndStoreTokens(HttpContext);
}

public sealed record RegistrationServices(
    UserManager<AuthUser> Users, SignInManager<AuthUser> SignInManager, AuthContext Context, IntegrationEventOutbox<AuthContext> Outbox);
