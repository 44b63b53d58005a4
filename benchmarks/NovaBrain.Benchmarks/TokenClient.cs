using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace NovaBrain.Benchmarks;

/// <summary>Gets an access token with the password grant, through the gateway as any client would.</summary>
public static class TokenClient
{
    public static async Task<string> RequestAsync(BenchmarkOptions options)
    {
        using var client = new HttpClient();
        using var response = await client.PostAsync(new Uri(options.Gateway, "/connect/token"), new FormUrlEncodedContent(
            new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["client_id"] = BenchmarkOptions.ClientId,
                ["username"] = options.User,
                ["password"] = options.Password,
                ["scope"] = "openid",
            }));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"The token endpoint answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return token?.AccessToken ?? throw new InvalidOperationException("The token endpoint answered no access_token.");
    }

    private sealed record TokenResponse([property: JsonPropertyName("access_token")] string? AccessToken);
}
