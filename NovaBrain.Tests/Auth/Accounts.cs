using System.Net.Http.Json;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Auth;

public sealed record CreatedUser(string Id, string UserName, string Email, string Password);

public sealed record CreatedClient(string ClientId, string ClientSecret);

public sealed record CreatedApiKey(Guid Id, string Key, string Prefix);

/// <summary>Users, clients and API keys made through the auth service's own API, as an admin would make them.</summary>
public static class Accounts
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static async Task<CreatedUser> CreateUserAsync(this RunningSystem system, params string[] roles)
    {
        using var admin = await system.CreateAdminClientAsync();
        var userName = Unique("user");
        var email = $"{userName}@example.test";
        var password = $"Pw-{Guid.NewGuid():N}aA1";
        using var response = await admin.PostAsJsonAsync("/api/auth/v1/users", new { userName, email, password, roles });
        var user = await response.ReadAsync<UserBody>();
        return new CreatedUser(user.Id, userName, email, password);
    }

    public static async Task<string> TokenOfAsync(this RunningSystem system, CreatedUser user, string scope = "openid profile offline_access")
    {
        using var gateway = system.CreateGatewayClient();
        return (await Tokens.PasswordAsync(gateway, user.UserName, user.Password, scope)).Require();
    }

    public static async Task<CreatedClient> CreateClientAsync(this RunningSystem system, params string[] permissions)
    {
        using var admin = await system.CreateAdminClientAsync();
        using var response = await admin.PostAsJsonAsync("/api/auth/v1/clients", new { displayName = Unique("client"), permissions });
        var client = await response.ReadAsync<ClientBody>();
        return new CreatedClient(client.ClientId, client.ClientSecret);
    }

    public static async Task<string> TokenOfAsync(this RunningSystem system, CreatedClient client)
    {
        using var gateway = system.CreateGatewayClient();
        return (await Tokens.ClientCredentialsAsync(gateway, client.ClientId, client.ClientSecret)).Require();
    }

    /// <summary>Creates an API key as the caller (or for <paramref name="ownerId"/>) with these permissions.</summary>
    public static async Task<CreatedApiKey> CreateApiKeyAsync(this HttpClient caller, string[] permissions, string? ownerId = null)
    {
        using var response = await caller.PostAsJsonAsync("/api/auth/v1/api-keys", new { name = Unique("key"), permissions, ownerId });
        var key = await response.ReadAsync<ApiKeyBody>();
        return new CreatedApiKey(key.Id, key.Key, key.Prefix);
    }

    private sealed record UserBody(string Id);

    private sealed record ClientBody(string ClientId, string ClientSecret);

    private sealed record ApiKeyBody(Guid Id, string Key, string Prefix);
}
