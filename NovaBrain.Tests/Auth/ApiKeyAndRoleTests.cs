using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Auth;

[TestClass]
public sealed class ApiKeyAndRoleTests
{
    private static readonly TimeSpan WithinSeconds = TimeSpan.FromSeconds(20);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ApiKey_IsShownOnce_WorksInBothHeaders_AndStopsWorkingSecondsAfterRevocation()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var key = await admin.CreateApiKeyAsync(["models:read"]);
        StringAssert.StartsWith(key.Key, $"nbk_{key.Prefix}_");

        using var gateway = system.CreateGatewayClient();
        Assert.AreEqual(HttpStatusCode.OK, await WithKeyAsync(gateway, HttpMethod.Get, key.Key, header: "X-Api-Key"));
        Assert.AreEqual(HttpStatusCode.OK, await WithKeyAsync(gateway, HttpMethod.Get, key.Key, header: "Authorization"));
        Assert.AreEqual(HttpStatusCode.Forbidden, await WithKeyAsync(gateway, HttpMethod.Post, key.Key, header: "X-Api-Key"), "the key has models:read only");
        using var registry = system.App.CreateHttpClient("model-registry", "http");
        Assert.AreEqual(HttpStatusCode.OK, await WithKeyAsync(registry, HttpMethod.Get, key.Key, header: "X-Api-Key"), "services accept keys directly too");

        var listed = await admin.GetStringAsync("/api/auth/v1/api-keys", TestContext.CancellationToken);
        StringAssert.Contains(listed, key.Id.ToString());
        Assert.IsFalse(listed.Contains(key.Key, StringComparison.Ordinal), "the key is shown once, never listed");
        await Eventually.ReturnsAsync(
            async () => JsonDocument.Parse(await admin.GetStringAsync("/api/auth/v1/api-keys", TestContext.CancellationToken)).RootElement
                .EnumerateArray().Single(k => k.GetProperty("id").GetGuid() == key.Id).GetProperty("lastUsedAt").ValueKind,
            kind => kind == JsonValueKind.String, WithinSeconds, "the key's last use recorded");

        using var revoke = await admin.DeleteAsync($"/api/auth/v1/api-keys/{key.Id}", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, revoke.StatusCode);
        var started = DateTime.UtcNow;
        await Eventually.ReturnsAsync(() => WithKeyAsync(gateway, HttpMethod.Get, key.Key, "X-Api-Key"),
            status => status == HttpStatusCode.Unauthorized, WithinSeconds, "the revoked key refused at the gateway");
        await Eventually.ReturnsAsync(() => WithKeyAsync(registry, HttpMethod.Get, key.Key, "X-Api-Key"),
            status => status == HttpStatusCode.Unauthorized, WithinSeconds, "the revoked key refused by the service");
        TestContext.WriteLine($"revocation took effect after {(DateTime.UtcNow - started).TotalSeconds:0.0} s");

        await Eventually.ReturnsAsync(
            async () => await admin.GetStringAsync($"/api/logging/v1/audit?subject=api-key:{key.Id}", TestContext.CancellationToken),
            audit => audit.Contains("ApiKeyCreated", StringComparison.Ordinal) && audit.Contains("ApiKeyRevoked", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the key's creation and revocation in the audit trail");
    }

    [TestMethod]
    public async Task ApiKey_CannotExceedItsOwner_AndShrinksWithTheOwnersRoles()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("viewer");
        using var asUser = system.CreateGatewayClient(await system.TokenOfAsync(user));

        using var tooMuch = await asUser.PostAsJsonAsync("/api/auth/v1/api-keys", new { name = "too-much", permissions = new[] { "models:write" } }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, tooMuch.StatusCode);
        StringAssert.Contains(await tooMuch.Content.ReadAsStringAsync(TestContext.CancellationToken), "models:write", "the refusal names the permission");

        var key = await asUser.CreateApiKeyAsync(["models:read"]);
        using var gateway = system.CreateGatewayClient();
        Assert.AreEqual(HttpStatusCode.OK, await WithKeyAsync(gateway, HttpMethod.Get, key.Key, "X-Api-Key"));

        using var admin = await system.CreateAdminClientAsync();
        using var demote = await admin.PutAsJsonAsync($"/api/auth/v1/users/{user.Id}/roles", new { roles = Array.Empty<string>() }, TestContext.CancellationToken);
        Assert.IsTrue(demote.IsSuccessStatusCode, await demote.Content.ReadAsStringAsync(TestContext.CancellationToken));

        using var withNewToken = system.CreateGatewayClient(await system.TokenOfAsync(user));
        Assert.AreEqual(HttpStatusCode.Forbidden, (await withNewToken.GetAsync("/api/registry/v1/models", TestContext.CancellationToken)).StatusCode,
            "a role change applies to the next token at once");
        await Eventually.ReturnsAsync(() => WithKeyAsync(gateway, HttpMethod.Get, key.Key, "X-Api-Key"),
            status => status == HttpStatusCode.Forbidden, WithinSeconds, "the key lost what its owner lost");
    }

    [TestMethod]
    public async Task CustomRole_GrantsExactlyItsPermissions_AndAChangeAppliesToTheNextToken()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var role = Accounts.Unique("auditor");
        using var created = await admin.PostAsJsonAsync("/api/auth/v1/roles", new { name = role, permissions = new[] { "audit:read" } }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync(TestContext.CancellationToken));
        using var unknown = await admin.PostAsJsonAsync("/api/auth/v1/roles", new { name = Accounts.Unique("bad"), permissions = new[] { "models:fly" } }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, unknown.StatusCode);
        StringAssert.Contains(await unknown.Content.ReadAsStringAsync(TestContext.CancellationToken), "models:fly");

        var user = await system.CreateUserAsync(role);
        using (var asUser = system.CreateGatewayClient(await system.TokenOfAsync(user)))
        {
            Assert.AreEqual(HttpStatusCode.OK, (await asUser.GetAsync("/api/logging/v1/audit?limit=1", TestContext.CancellationToken)).StatusCode);
            Assert.AreEqual(HttpStatusCode.Forbidden, (await asUser.GetAsync("/api/registry/v1/models", TestContext.CancellationToken)).StatusCode);
        }

        using var changed = await admin.PutAsJsonAsync($"/api/auth/v1/roles/{role}/permissions", new { permissions = new[] { "models:read" } }, TestContext.CancellationToken);
        Assert.IsTrue(changed.IsSuccessStatusCode, await changed.Content.ReadAsStringAsync(TestContext.CancellationToken));
        using (var asUser = system.CreateGatewayClient(await system.TokenOfAsync(user)))
        {
            Assert.AreEqual(HttpStatusCode.Forbidden, (await asUser.GetAsync("/api/logging/v1/audit?limit=1", TestContext.CancellationToken)).StatusCode);
            Assert.AreEqual(HttpStatusCode.OK, (await asUser.GetAsync("/api/registry/v1/models", TestContext.CancellationToken)).StatusCode);
        }
    }

    [TestMethod]
    public async Task DisabledUser_CannotSignIn_AndUserNamesAndEmailsAreUnique()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("viewer");
        using var admin = await system.CreateAdminClientAsync();

        using var duplicate = await admin.PostAsJsonAsync("/api/auth/v1/users",
            new { userName = user.UserName, email = Accounts.Unique("other") + "@example.test", password = user.Password, roles = new[] { "viewer" } },
            TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Conflict, duplicate.StatusCode);
        using var weak = await admin.PostAsJsonAsync("/api/auth/v1/users",
            new { userName = Accounts.Unique("weak"), email = Accounts.Unique("weak") + "@example.test", password = "short", roles = new[] { "viewer" } },
            TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, weak.StatusCode, "the password policy refuses a weak password");

        using var disable = await admin.PostAsync($"/api/auth/v1/users/{user.Id}/disable", null, TestContext.CancellationToken);
        Assert.IsTrue(disable.IsSuccessStatusCode, await disable.Content.ReadAsStringAsync(TestContext.CancellationToken));
        using var gateway = system.CreateGatewayClient();
        Assert.AreEqual("invalid_grant", (await Tokens.PasswordAsync(gateway, user.UserName, user.Password)).Error);

        using var enable = await admin.PostAsync($"/api/auth/v1/users/{user.Id}/enable", null, TestContext.CancellationToken);
        Assert.IsTrue(enable.IsSuccessStatusCode);
        Assert.IsNotNull((await Tokens.PasswordAsync(gateway, user.UserName, user.Password)).AccessToken);
    }

    [TestMethod]
    public async Task PasswordChange_NeedsTheCurrentPassword_AndOnlyTheNewOneSignsInAfterwards()
    {
        var system = await RunningSystem.GetAsync();
        var user = await system.CreateUserAsync("viewer");
        using var asUser = system.CreateGatewayClient(await system.TokenOfAsync(user));
        var newPassword = $"New-{Guid.NewGuid():N}aA1";

        using var wrongCurrent = await asUser.PostAsJsonAsync("/api/auth/v1/me/password",
            new { currentPassword = "Not-The-Passw0rd", newPassword }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, wrongCurrent.StatusCode);
        using var changed = await asUser.PostAsJsonAsync("/api/auth/v1/me/password",
            new { currentPassword = user.Password, newPassword }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, changed.StatusCode, await changed.Content.ReadAsStringAsync(TestContext.CancellationToken));

        using var gateway = system.CreateGatewayClient();
        Assert.AreEqual("invalid_grant", (await Tokens.PasswordAsync(gateway, user.UserName, user.Password)).Error);
        Assert.IsNotNull((await Tokens.PasswordAsync(gateway, user.UserName, newPassword)).AccessToken);
    }

    private async Task<HttpStatusCode> WithKeyAsync(HttpClient client, HttpMethod method, string key, string header)
    {
        using var request = new HttpRequestMessage(method, "/api/registry/v1/models");
        if (header == "Authorization")
        {
            request.Headers.Authorization = new("ApiKey", key);
        }
        else
        {
            request.Headers.Add(header, key);
        }
        if (method == HttpMethod.Post)
        {
            request.Content = JsonContent.Create(new { name = Accounts.Unique("m") });
        }
        using var response = await client.SendAsync(request, TestContext.CancellationToken);
        return response.StatusCode;
    }
}
