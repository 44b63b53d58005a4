using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace NovaBrain.Auth.Account;

/// <summary>
/// The few pages a browser sees: plain HTML, no scripts, every value encoded. Framing is refused so a page cannot be
/// overlaid on another site.
/// </summary>
internal static class AccountPages
{
    public static ContentHttpResult Login(
        HttpContext httpContext, AntiforgeryTokenSet antiforgery, string? returnUrl, string? userName, string? error,
        IReadOnlyList<ExternalProvider> providers, bool selfRegistration, int statusCode = StatusCodes.Status200OK)
    {
        var body = new StringBuilder()
            .Append("<h1>Sign in to NovaBrain</h1>")
            .Append(Error(error))
            .Append($"""<form method="post" action="{E(AccountEndpoints.LoginPath)}">""")
            .Append(Hidden(antiforgery))
            .Append($"""<input type="hidden" name="returnUrl" value="{E(returnUrl)}">""")
            .Append($"""<label>User name or email<input name="userName" autocomplete="username" required autofocus value="{E(userName)}"></label>""")
            .Append("""<label>Password<input name="password" type="password" autocomplete="current-password" required></label>""")
            .Append("""<button type="submit">Sign in</button></form>""");
        if (providers.Count > 0)
        {
            body.Append("<p>Or sign in with</p><ul>");
            foreach (var provider in providers)
            {
                body.Append($"""<li><a href="{E(AccountEndpoints.ExternalUrl(provider.Name, returnUrl))}">{E(provider.DisplayName)}</a></li>""");
            }
            body.Append("</ul>");
        }
        if (selfRegistration)
        {
            body.Append($"""<p><a href="{E(AccountEndpoints.RegisterUrl(returnUrl))}">Create an account</a></p>""");
        }
        return Page(httpContext, "Sign in", body.ToString(), statusCode);
    }

    public static ContentHttpResult SignedIn(
        HttpContext httpContext, AntiforgeryTokenSet antiforgery, string userName, IReadOnlyList<ExternalProvider> providers, string? notice)
    {
        var body = new StringBuilder()
            .Append($"<h1>Signed in as {E(userName)}</h1>")
            .Append(notice is null ? "" : $"""<p class="notice">{E(notice)}</p>""");
        if (providers.Count > 0)
        {
            body.Append("<p>Link another account to sign in with it:</p><ul>");
            foreach (var provider in providers)
            {
                body.Append($"""<li><a href="{E(AccountEndpoints.LinkUrl(provider.Name))}">{E(provider.DisplayName)}</a></li>""");
            }
            body.Append("</ul>");
        }
        body.Append(SignOutForm(antiforgery));
        return Page(httpContext, "Signed in", body.ToString(), StatusCodes.Status200OK);
    }

    public static ContentHttpResult SignOut(HttpContext httpContext, AntiforgeryTokenSet antiforgery) =>
        Page(httpContext, "Sign out", "<h1>Sign out of NovaBrain?</h1>" + SignOutForm(antiforgery), StatusCodes.Status200OK);

    public static ContentHttpResult Register(
        HttpContext httpContext, AntiforgeryTokenSet antiforgery, string? returnUrl, string? userName, string? email, string? error,
        int statusCode = StatusCodes.Status200OK) =>
        Page(httpContext, "Create an account", $"""
            <h1>Create a NovaBrain account</h1>
            {Error(error)}
            <form method="post" action="{E(AccountEndpoints.RegisterPath)}">
            {Hidden(antiforgery)}
            <input type="hidden" name="returnUrl" value="{E(returnUrl)}">
            <label>User name<input name="userName" autocomplete="username" required value="{E(userName)}"></label>
            <label>Email<input name="email" type="email" autocomplete="email" required value="{E(email)}"></label>
            <label>Password<input name="password" type="password" autocomplete="new-password" required></label>
            <button type="submit">Create account</button>
            </form>
            """, statusCode);

    public static ContentHttpResult Message(HttpContext httpContext, string title, string message, int statusCode) =>
        Page(httpContext, title, $"""<h1>{E(title)}</h1><p>{E(message)}</p><p><a href="{E(AccountEndpoints.LoginPath)}">Back to sign in</a></p>""", statusCode);

    private static string SignOutForm(AntiforgeryTokenSet antiforgery) =>
        $"""<form method="post" action="{E(AccountEndpoints.LogoutPath)}">{Hidden(antiforgery)}<button type="submit">Sign out</button></form>""";

    private static string Error(string? error) => error is null ? "" : $"""<p class="error" role="alert">{E(error)}</p>""";

    private static string Hidden(AntiforgeryTokenSet antiforgery) =>
        $"""<input type="hidden" name="{E(antiforgery.FormFieldName)}" value="{E(antiforgery.RequestToken)}">""";

    private static ContentHttpResult Page(HttpContext httpContext, string title, string body, int statusCode)
    {
        httpContext.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
        httpContext.Response.Headers.XFrameOptions = "DENY";
        httpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Content($$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{E(title)}} · NovaBrain</title>
            <style>
            body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}
            main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0002}
            h1{font-size:1.3rem}label{display:block;margin:.8rem 0}input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.3rem}
            button{margin-top:1rem;padding:.5rem 1rem}.error{color:#b00020}.notice{color:#1b5e20}
            </style>
            </head>
            <body><main>
            {{body}}
            </main></body>
            </html>
            """, "text/html; charset=utf-8", Encoding.UTF8, statusCode);
    }

    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
