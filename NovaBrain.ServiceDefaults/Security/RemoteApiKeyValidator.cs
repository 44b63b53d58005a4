using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace NovaBrain.Security;

/// <summary>
/// Asks the auth service whether an API key is valid, with this service's client-credentials token, and keeps
/// the answer in Redis for <see cref="ServiceIdentityOptions.ApiKeyCacheSeconds"/> under the key's SHA-256, so a
/// burst of requests with one key (valid or not) costs one call. Keys themselves are neither stored nor logged.
/// </summary>
public sealed partial class RemoteApiKeyValidator(
    HttpClient httpClient,
    IConnectionMultiplexer redis,
    IOptions<ServiceIdentityOptions> options,
    TimeProvider timeProvider,
    ILogger<RemoteApiKeyValidator> logger) : IApiKeyValidator
{
    public const string ValidatePath = "/api/auth/v1/api-keys/validate";

    private static readonly JsonSerializerOptions CacheJson = new(JsonSerializerDefaults.Web);

    public async Task<ApiKeyValidation> ValidateAsync(string key, CancellationToken cancellationToken)
    {
        var cacheKey = new RedisKey($"novabrain:apikey:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}");
        if (await ReadCachedAsync(cacheKey) is { } cached)
        {
            return cached;
        }

        using var response = await httpClient.PostAsJsonAsync(
            new Uri(options.Value.Authority, ValidatePath), new ValidateApiKeyRequest(key), cancellationToken);
        response.EnsureSuccessStatusCode();
        var validation = await response.Content.ReadFromJsonAsync<ApiKeyValidation>(cancellationToken)
            ?? throw new InvalidOperationException("The auth service answered an API key validation with an empty body.");

        await CacheAsync(cacheKey, validation);
        return validation;
    }

    private async Task<ApiKeyValidation?> ReadCachedAsync(RedisKey cacheKey)
    {
        try
        {
            var value = await redis.GetDatabase().StringGetAsync(cacheKey);
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ApiKeyValidation>(value.ToString(), CacheJson);
        }
        catch (RedisException exception)
        {
            LogCacheUnavailable(exception);
            return null;
        }
    }

    private async Task CacheAsync(RedisKey cacheKey, ApiKeyValidation validation)
    {
        var ttl = TimeSpan.FromSeconds(options.Value.ApiKeyCacheSeconds);
        // A key about to expire is not kept past its expiry.
        if (validation.ExpiresAt - timeProvider.GetUtcNow() is { } remaining && remaining < ttl)
        {
            ttl = remaining;
        }
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().StringSetAsync(cacheKey, JsonSerializer.Serialize(validation, CacheJson), ttl);
        }
        catch (RedisException exception)
        {
            LogCacheUnavailable(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The API key cache is unavailable; asking the auth service directly")]
    private partial void LogCacheUnavailable(Exception exception);

    private sealed record ValidateApiKeyRequest(string Key);
}
