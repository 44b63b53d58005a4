using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NovaBrain.Tests.Auth;

/// <summary>An OAuth 2.0 token endpoint answer: the tokens, or the error and its description.</summary>
public sealed record TokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("id_token")] string? IdToken,
    [property: JsonPropertyName("expires_in")] int? ExpiresIn,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription)
{
    [JsonIgnore] public HttpStatusCode Status { get; init; }

    public string Require() =>
        AccessToken ?? throw new AssertFailedException($"no token: {(int)Status} {Error} {ErrorDescription}");
}

/// <summary>The token endpoint, spoken the way any OAuth client library speaks it (form posts, standard parameters).</summary>
public static class Tokens
{
    public const string CliClientId = "novabrain-cli";

    public static Task<TokenResponse> PasswordAsync(HttpClient gateway, string userName, string password, string scope = "openid profile offline_access") =>
        RequestAsync(gateway, new()
        {
            ["grant_type"] = "password",
            ["client_id"] = CliClientId,
            ["username"] = userName,
            ["password"] = password,
            ["scope"] = scope,
        });

    public static Task<TokenResponse> ClientCredentialsAsync(HttpClient gateway, string clientId, string clientSecret, string? scope = null)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        return RequestAsync(gateway, form);
    }

    public static Task<TokenResponse> RefreshAsync(HttpClient gateway, string refreshToken) =>
        RequestAsync(gateway, new()
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = CliClientId,
            ["refresh_token"] = refreshToken,
        });

    public static async Task<TokenResponse> RequestAsync(HttpClient gateway, Dictionary<string, string> form)
    {
        using var response = await gateway.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadAsStringAsync();
        var token = JsonSerializer.Deserialize<TokenResponse>(body)
            ?? throw new AssertFailedException($"token endpoint answered {(int)response.StatusCode}: {body}");
        return token with { Status = response.StatusCode };
    }

    /// <summary>The claims of a JWT, read without checking it (tests check signatures where that is the point).</summary>
    public static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement;

    public static JsonElement Header(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement;

    public static string[] Values(this JsonElement payload, string claim) =>
        !payload.TryGetProperty(claim, out var value) ? []
        : value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(v => v.GetString()!).ToArray()
        : [value.GetString()!];

    /// <summary>A PKCE pair (RFC 7636): a random verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) NewPkce()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public static HttpClient WithBearer(this HttpClient client, string accessToken)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.IsTrue(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        return JsonSerializer.Deserialize<T>(body, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string path, T body) =>
        client.PostAsJsonAsync(path, body);
}
