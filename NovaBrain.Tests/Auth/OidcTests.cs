using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Auth;

/// <summary>The OpenID Connect provider, spoken to as standard clients and libraries speak to it.</summary>
[TestClass]
public sealed partial class OidcTests
{
    private const int CliRedirectPort = 8765;
    private const string CliRedirectUri = "http://127.0.0.1:8765/callback";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Discovery_NamesTheGatewayAsIssuer_WithEveryEndpointAndGrant()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        var discovery = await gateway.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration", TestContext.CancellationToken);

        var issuer = $"http://localhost:{system.GatewayHttpPort}/";
        Assert.AreEqual(issuer, discovery.GetProperty("issuer").GetString());
        foreach (var (member, path) in new[]
        {
            ("token_endpoint", "connect/token"), ("authorization_endpoint", "connect/authorize"),
            ("introspection_endpoint", "connect/introspect"), ("revocation_endpoint", "connect/revoke"),
            ("userinfo_endpoint", "connect/userinfo"), ("jwks_uri", ".well-known/jwks"),
        })
        {
            Assert.AreEqual(issuer + path, discovery.GetProperty(member).GetString(), member);
        }
        CollectionAssert.IsSubsetOf(
            new[] { "password", "client_credentials", "refresh_token", "authorization_code" },
            discovery.Values("grant_types_supported"));
        CollectionAssert.Contains(discovery.Values("code_challenge_methods_supported"), "S256");

        var jwks = await gateway.GetFromJsonAsync<JsonElement>("/.well-known/jwks", TestContext.CancellationToken);
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        Assert.IsTrue(keys.Any(key => key.GetProperty("kty").GetString() == "RSA" && key.TryGetProperty("kid", out _)), jwks.ToString());
        Assert.IsFalse(keys.Any(key => key.TryGetProperty("d", out _)), "the JWKS publishes no private key material");
    }

    [TestMethod]
    public async Task PasswordGrant_IssuesASignedJwt_ThatAStandardLibraryVerifiesOfflineWithTheJwks()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        var token = (await Tokens.PasswordAsync(gateway, "admin", system.AdminPassword)).Require();

        Assert.HasCount(3, token.Split('.'), "a signed JWT (JWS), not an encrypted one (JWE has five parts)");
        var header = Tokens.Header(token);
        Assert.AreEqual("RS256", header.GetProperty("alg").GetString());
        Assert.AreEqual("at+jwt", header.GetProperty("typ").GetString());
        var payload = Tokens.Payload(token);
        Assert.IsFalse(string.IsNullOrEmpty(payload.GetProperty("sub").GetString()));
        Assert.AreEqual("admin", payload.GetProperty("name").GetString());
        CollectionAssert.Contains(payload.Values("role"), "admin");
        CollectionAssert.IsSubsetOf(new[] { "models:write", "users:manage", "clients:manage", "audit:read" }, payload.Values("permission"));
        CollectionAssert.IsSubsetOf(new[] { "novabrain-registry", "novabrain-serving", "novabrain-logging" }, payload.Values("aud"));
        var lifetime = payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64();
        Assert.IsTrue(lifetime is >= 300 and <= 900, $"access tokens live 5 to 15 minutes; this one {lifetime} s");

        var jwks = new JsonWebKeySet(await gateway.GetStringAsync("/.well-known/jwks", TestContext.CancellationToken));
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = $"http://localhost:{system.GatewayHttpPort}/",
            ValidAudience = "novabrain-registry",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        Assert.IsTrue(result.IsValid, $"offline validation: {result.Exception?.Message}");
    }

    [TestMethod]
    public async Task ApiScopes_NarrowTheAudience_SoOtherApisRefuseTheToken()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient();

        var token = (await Tokens.PasswordAsync(gateway, "admin", system.AdminPassword, "openid api:logging")).Require();

        CollectionAssert.AreEqual(new[] { "novabrain-logging" }, Tokens.Payload(token).Values("aud"));
        using var caller = system.CreateGatewayClient(token);
        using var audit = await caller.GetAsync("/api/logging/v1/audit?limit=1", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, audit.StatusCode);
        using var registry = system.App.CreateHttpClient("model-registry", "http").WithBearer(token);
        using var models = await registry.GetAsync("/api/registry/v1/models", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Unauthorized, models.StatusCode, "the registry is not this token's audience");
    }

    [TestMethod]
    public async Task RefreshToken_Rotates_AndReusingASpentOneRevokesTheWholeFamily()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("viewer");
        using var gateway = system.CreateGatewayClient();

        var first = await Tokens.PasswordAsync(gateway, user.UserName, user.Password);
        Assert.IsNotNull(first.RefreshToken, "offline_access gives a refresh token");
        var second = await Tokens.RefreshAsync(gateway, first.RefreshToken);
        Assert.IsNotNull(second.AccessToken, $"{second.Error} {second.ErrorDescription}");
        Assert.IsNotNull(second.RefreshToken);
        Assert.AreNotEqual(first.RefreshToken, second.RefreshToken, "refresh tokens rotate");

        var reuse = await Tokens.RefreshAsync(gateway, first.RefreshToken);
        Assert.AreEqual("invalid_grant", reuse.Error, "a spent refresh token is refused");
        var afterReuse = await Tokens.RefreshAsync(gateway, second.RefreshToken);
        Assert.AreEqual("invalid_grant", afterReuse.Error, "reuse revoked the newer refresh token of the same family too");
    }

    [TestMethod]
    public async Task AuthorizationCodeWithPkce_SignsInThroughTheLoginPage_AndIssuesTokensOnce()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("data-scientist");
        using var browser = Browser(system);
        var (verifier, challenge) = Tokens.NewPkce();
        var authorize = "/connect/authorize?client_id=novabrain-cli&response_type=code&scope=openid%20profile%20offline_access"
            + $"&redirect_uri={Uri.EscapeDataString(CliRedirectUri)}&code_challenge={challenge}&code_challenge_method=S256&state=s-42";

        var callback = await SignInThroughBrowserAsync(browser, authorize, user.UserName, user.Password);

        StringAssert.StartsWith(callback.GetLeftPart(UriPartial.Path), CliRedirectUri);
        var query = System.Web.HttpUtility.ParseQueryString(callback.Query);
        Assert.AreEqual("s-42", query["state"]);
        var code = query["code"] ?? throw new AssertFailedException($"no code in {callback}");
        using var gateway = system.CreateGatewayClient();
        var redeem = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["client_id"] = Tokens.CliClientId, ["code"] = code,
            ["redirect_uri"] = CliRedirectUri, ["code_verifier"] = verifier,
        };
        var tokens = await Tokens.RequestAsync(gateway, redeem);
        Assert.IsNotNull(tokens.AccessToken, $"{tokens.Error} {tokens.ErrorDescription}");
        Assert.IsNotNull(tokens.IdToken);
        Assert.AreEqual(user.Id, Tokens.Payload(tokens.AccessToken).GetProperty("sub").GetString());
        Assert.AreEqual("invalid_grant", (await Tokens.RequestAsync(gateway, redeem)).Error, "a code is redeemed once");

        using var withoutPkce = await browser.GetAsync(authorize.Replace($"&code_challenge={challenge}&code_challenge_method=S256", ""), TestContext.CancellationToken);
        var refusal = withoutPkce.Headers.Location?.ToString() ?? await withoutPkce.Content.ReadAsStringAsync(TestContext.CancellationToken);
        StringAssert.Contains(refusal, "invalid_request", "PKCE is required");
    }

    [TestMethod]
    public async Task Password_IsLockedOutAfterRepeatedFailures_AndTheLockoutIsAudited()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("viewer");
        using var gateway = system.CreateGatewayClient();
        Assert.IsNotNull((await Tokens.PasswordAsync(gateway, user.UserName, user.Password)).AccessToken, "the right password works at first");

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.AreEqual("invalid_grant", (await Tokens.PasswordAsync(gateway, user.UserName, "Wrong-Passw0rd")).Error);
        }

        var locked = await Tokens.PasswordAsync(gateway, user.UserName, user.Password);
        Assert.AreEqual("invalid_grant", locked.Error, "a locked-out user is refused even with the right password");

        using var admin = await system.CreateAdminClientAsync();
        await Eventually.ReturnsAsync(
            async () => await admin.GetStringAsync($"/api/logging/v1/audit?subject=user:{user.UserName}", TestContext.CancellationToken),
            audit => audit.Contains("UserLockedOut", StringComparison.Ordinal) && audit.Contains("UserSignInFailed", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the failures and the lockout in the audit trail");
    }

    [TestMethod]
    public async Task ClientCredentialsClient_CallsWhatItsPermissionsAllow_AndNothingElse()
    {
        var system = await RunningSystem.GetAsync();
        var client = await system.CreateClientAsync("models:read");
        var token = await system.TokenOfAsync(client);

        var payload = Tokens.Payload(token);
        CollectionAssert.AreEqual(new[] { "models:read" }, payload.Values("permission"));
        Assert.AreEqual(client.ClientId, payload.GetProperty("client_id").GetString());
        using var caller = system.CreateGatewayClient(token);
        Assert.AreEqual(HttpStatusCode.OK, (await caller.GetAsync("/api/registry/v1/models", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden,
            (await caller.PostAsJsonAsync("/api/registry/v1/models", new { name = Accounts.Unique("m") }, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, (await caller.GetAsync("/api/logging/v1/audit", TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, (await caller.GetAsync("/api/auth/v1/users", TestContext.CancellationToken)).StatusCode);

        using var gateway = system.CreateGatewayClient();
        Assert.AreEqual("invalid_client", (await Tokens.ClientCredentialsAsync(gateway, client.ClientId, client.ClientSecret + "x")).Error);
        using var admin = await system.CreateAdminClientAsync();
        var listed = await admin.GetStringAsync("/api/auth/v1/clients", TestContext.CancellationToken);
        StringAssert.Contains(listed, client.ClientId);
        Assert.IsFalse(listed.Contains(client.ClientSecret, StringComparison.Ordinal), "a client secret is shown once, never listed");
    }

    [TestMethod]
    public async Task MachineClientWithAJwks_SignsInWithAPrivateKeyJwt_AndHasNoSecret()
    {
        var system = await RunningSystem.GetAsync();
        using var key = RSA.Create(2048);
        var signingKey = new RsaSecurityKey(key) { KeyId = Accounts.Unique("kid") };
        var publicJwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.ExportParameters(false)) { KeyId = signingKey.KeyId });
        var jwks = new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = publicJwk.Kid, n = publicJwk.N, e = publicJwk.E } } };
        using var admin = await system.CreateAdminClientAsync();
        using var created = await admin.PostAsJsonAsync("/api/auth/v1/clients",
            new { displayName = Accounts.Unique("keyed"), permissions = new[] { "models:read" }, jwks }, TestContext.CancellationToken);
        var client = await created.ReadAsync<JsonElement>();
        Assert.IsFalse(client.TryGetProperty("clientSecret", out var secret) && secret.ValueKind == JsonValueKind.String, "a client with keys gets no secret");
        var clientId = client.GetProperty("clientId").GetString()!;

        var issuer = $"http://localhost:{system.GatewayHttpPort}/";
        var assertion = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = issuer,
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", clientId), new("jti", Guid.NewGuid().ToString())]),
            Expires = DateTime.UtcNow.AddMinutes(2),
            // The explicit type of client assertions (RFC 7523bis), which OpenIddict requires.
            TokenType = "client-authentication+jwt",
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
        });
        using var gateway = system.CreateGatewayClient();
        var token = await Tokens.RequestAsync(gateway, new()
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });

        CollectionAssert.AreEqual(new[] { "models:read" }, Tokens.Payload(token.Require()).Values("permission"));
    }

    [TestMethod]
    public async Task IntrospectionAndRevocation_AnswerForIssuedTokens()
    {
        var system = await RunningSystem.GetAsync();
        var client = await system.CreateClientAsync("models:read");
        var user = await system.CreateUserAsync("viewer");
        using var gateway = system.CreateGatewayClient();
        var tokens = await Tokens.PasswordAsync(gateway, user.UserName, user.Password);

        var active = await IntrospectAsync(gateway, client, tokens.RefreshToken!);
        Assert.IsTrue(active.GetProperty("active").GetBoolean(), active.ToString());

        using var revoke = await gateway.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = Tokens.CliClientId, ["token"] = tokens.RefreshToken!, ["token_type_hint"] = "refresh_token",
        }), TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, revoke.StatusCode, await revoke.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.IsFalse((await IntrospectAsync(gateway, client, tokens.RefreshToken!)).GetProperty("active").GetBoolean());
        Assert.AreEqual("invalid_grant", (await Tokens.RefreshAsync(gateway, tokens.RefreshToken!)).Error);

        using var userinfo = system.CreateGatewayClient(tokens.AccessToken!);
        var info = await userinfo.GetFromJsonAsync<JsonElement>("/connect/userinfo", TestContext.CancellationToken);
        Assert.AreEqual(user.Id, info.GetProperty("sub").GetString());
    }

    private static async Task<JsonElement> IntrospectAsync(HttpClient gateway, CreatedClient client, string token)
    {
        using var response = await gateway.PostAsync("/connect/introspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret, ["token"] = token,
        }));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>A browser: keeps cookies and shows redirects instead of following them.</summary>
    internal static HttpClient Browser(RunningSystem system) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://localhost:{system.GatewayHttpPort}"),
        };

    /// <summary>
    /// Follows an authorization request the way a browser does: redirects, the login form (filled in), and back,
    /// until the redirect leaves for the client's redirect URI, which it returns.
    /// </summary>
    internal static async Task<Uri> SignInThroughBrowserAsync(HttpClient browser, string start, string userName, string password)
    {
        var next = new Uri(browser.BaseAddress!, start);
        for (var step = 0; step < 12; step++)
        {
            using var response = await browser.GetAsync(next);
            if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther)
            {
                next = new Uri(next, response.Headers.Location!);
                if (next.Port == CliRedirectPort)
                {
                    return next;
                }
                continue;
            }

            var html = await response.Content.ReadAsStringAsync();
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, $"{next}: {html}");
            var form = FormPattern().Match(html);
            Assert.IsTrue(form.Success, $"a login form at {next}: {html}");
            var fields = InputPattern().Matches(form.Value).ToDictionary(
                input => System.Net.WebUtility.HtmlDecode(NameAttribute().Match(input.Value).Groups[1].Value),
                input => System.Net.WebUtility.HtmlDecode(ValueAttribute().Match(input.Value) is { Success: true } value ? value.Groups[1].Value : ""));
            foreach (var name in fields.Keys.ToList())
            {
                if (name.Contains("user", StringComparison.OrdinalIgnoreCase) || name.Contains("login", StringComparison.OrdinalIgnoreCase))
                {
                    fields[name] = userName;
                }
                else if (name.Contains("password", StringComparison.OrdinalIgnoreCase))
                {
                    fields[name] = password;
                }
            }
            var action = System.Net.WebUtility.HtmlDecode(ActionAttribute().Match(form.Value).Groups[1].Value);
            using var posted = await browser.PostAsync(new Uri(next, action), new FormUrlEncodedContent(fields));
            Assert.IsNotNull(posted.Headers.Location, $"the login form redirects back: {(int)posted.StatusCode} {await posted.Content.ReadAsStringAsync()}");
            next = new Uri(next, posted.Headers.Location);
            if (next.Port == CliRedirectPort)
            {
                return next;
            }
        }

        throw new AssertFailedException($"the sign-in did not reach the redirect URI; last at {next}");
    }

    [GeneratedRegex("<form[^>]*>.*?</form>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex FormPattern();

    [GeneratedRegex("<input[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputPattern();

    [GeneratedRegex("name=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex NameAttribute();

    [GeneratedRegex("value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ValueAttribute();

    [GeneratedRegex("action=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ActionAttribute();
}
