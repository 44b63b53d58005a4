using System.Net.Http.Json;
using NovaBrain.Tests.EndToEnd;
using Npgsql;

namespace NovaBrain.Tests.Auth;

/// <summary>Signing in with an external OpenID Connect provider: a second, real instance of the auth service.</summary>
[TestClass]
public sealed class SocialLoginTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ExternalLogin_WithAVerifiedEmail_LinksTheLocalAccount_AndEndsInOurOwnTokens()
    {
        var system = await RunningSystem.GetAsync();
        var local = await system.CreateUserAsync("viewer");

        // The same person at the upstream provider, whose email the provider has verified.
        using var upstream = new HttpClient { BaseAddress = system.UpstreamAddress };
        var upstreamAdmin = (await Tokens.PasswordAsync(upstream, "admin", RunningSystem.UpstreamAdminPassword)).Require();
        upstream.WithBearer(upstreamAdmin);
        var upstreamPassword = $"Up-{Guid.NewGuid():N}aA1";
        using (var created = await upstream.PostAsJsonAsync("/api/auth/v1/users",
            new { userName = Accounts.Unique("upstream"), email = local.Email, password = upstreamPassword, roles = new[] { "viewer" } },
            TestContext.CancellationToken))
        {
            Assert.IsTrue(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        await using (var connection = new NpgsqlConnection(await system.App.GetConnectionStringAsync(RunningSystem.UpstreamDatabase, TestContext.CancellationToken)))
        {
            await connection.OpenAsync(TestContext.CancellationToken);
            await using var verify = new NpgsqlCommand("""UPDATE "AspNetUsers" SET "EmailConfirmed" = true WHERE "Email" = @email""", connection);
            verify.Parameters.AddWithValue("email", local.Email);
            Assert.AreEqual(1, await verify.ExecuteNonQueryAsync(TestContext.CancellationToken));
        }
        var upstreamUserName = (await upstream.GetFromJsonAsync<UserPage>("/api/auth/v1/users?limit=200", TestContext.CancellationToken))!
            .Items.Single(user => user.Email == local.Email).UserName;

        using var providers = system.CreateGatewayClient();
        StringAssert.Contains(await providers.GetStringAsync("/api/auth/v1/external-providers", TestContext.CancellationToken), "upstream");

        using var browser = OidcTests.Browser(system);
        var (verifier, challenge) = Tokens.NewPkce();
        var authorize = "/connect/authorize?client_id=novabrain-cli&response_type=code&scope=openid%20profile"
            + $"&redirect_uri={Uri.EscapeDataString("http://127.0.0.1:8765/callback")}&code_challenge={challenge}&code_challenge_method=S256";
        var callback = await OidcTests.SignInThroughBrowserAsync(
            browser, $"/account/external/upstream?returnUrl={Uri.EscapeDataString(authorize)}", upstreamUserName, upstreamPassword);

        var code = System.Web.HttpUtility.ParseQueryString(callback.Query)["code"] ?? throw new AssertFailedException($"no code in {callback}");
        using var gateway = system.CreateGatewayClient();
        var tokens = await Tokens.RequestAsync(gateway, new()
        {
            ["grant_type"] = "authorization_code", ["client_id"] = Tokens.CliClientId, ["code"] = code,
            ["redirect_uri"] = "http://127.0.0.1:8765/callback", ["code_verifier"] = verifier,
        });
        Assert.AreEqual(local.Id, Tokens.Payload(tokens.Require()).GetProperty("sub").GetString(), "the external login signed in the linked local account");

        using var admin = await system.CreateAdminClientAsync();
        await Eventually.ReturnsAsync(
            async () => await admin.GetStringAsync($"/api/logging/v1/audit?subject=user:{local.UserName}", TestContext.CancellationToken),
            audit => audit.Contains("ExternalLoginLinked", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the link in the audit trail");
    }

    private sealed record UserPage(UserBody[] Items);

    private sealed record UserBody(string Id, string UserName, string? Email);
}
