using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace NovaBrain.Security;

/// <summary>
/// This service's access token from the auth service (OAuth client credentials, <c>client_secret_post</c>), shared by
/// every outgoing call and fetched again shortly before it expires.
/// </summary>
public sealed class ServiceTokenClient(IHttpClientFactory httpClientFactory, IOptions<ServiceIdentityOptions> options, TimeProvider timeProvider)
{
    public const string HttpClientName = "NovaBrain.Identity.Token";

    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromSeconds(60);

    private readonly SemaphoreSlim _lock = new(1, 1);
    private CachedToken? _token;

    public async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } token && token.RenewAt > timeProvider.GetUtcNow())
        {
            return token.AccessToken;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } renewed && renewed.RenewAt > timeProvider.GetUtcNow())
            {
                return renewed.AccessToken;
            }
            _token = await RequestTokenAsync(cancellationToken);
            return _token.AccessToken;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Forgets a token the called service refused, so the next call gets a new one.</summary>
    public void Invalidate(string accessToken)
    {
        var current = _token;
        if (current?.AccessToken == accessToken)
        {
            Interlocked.CompareExchange(ref _token, null, current);
        }
    }

    private async Task<CachedToken> RequestTokenAsync(CancellationToken cancellationToken)
    {
        var identity = options.Value;
        if (string.IsNullOrEmpty(identity.ClientId) || string.IsNullOrEmpty(identity.ClientSecret))
        {
            throw new InvalidOperationException(
                $"{ServiceIdentityOptions.SectionName}:ClientId and {ServiceIdentityOptions.SectionName}:ClientSecret are required to call other services.");
        }

        var requestedAt = timeProvider.GetUtcNow();
        using var client = httpClientFactory.CreateClient(HttpClientName);
        using var response = await client.PostAsync(new Uri(identity.Authority, "/connect/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = identity.ClientId,
            ["client_secret"] = identity.ClientSecret,
        }), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // The body is the OAuth error (error, error_description); it never echoes the secret.
            var error = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException(
                $"The auth service refused client '{identity.ClientId}' a token ({(int)response.StatusCode}): {error}", null, response.StatusCode);
        }

        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("The auth service answered a token request with an empty body.");
        return new CachedToken(token.AccessToken, requestedAt + TimeSpan.FromSeconds(token.ExpiresIn) - RenewBeforeExpiry);
    }

    private sealed record CachedToken(string AccessToken, DateTimeOffset RenewAt);

    private sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string AccessToken,
        [property: JsonPropertyName("expires_in")] int ExpiresIn);
}
