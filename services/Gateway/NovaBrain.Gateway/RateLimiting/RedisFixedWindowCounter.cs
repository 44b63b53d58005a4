using StackExchange.Redis;

namespace NovaBrain.Gateway.RateLimiting;

/// <summary>How many requests a partition has made in the current window, and when the window ends.</summary>
public readonly record struct WindowCount(long Count, TimeSpan ResetAfter);

/// <summary>
/// Fixed-window counters in Redis, one key per policy, partition and window
/// (<c>novabrain:ratelimit:{policy}:{partition}:{window start}</c>), counted in one round trip.
/// </summary>
public sealed class RedisFixedWindowCounter(IConnectionMultiplexer redis, TimeProvider time)
{
    // The expiry is set whenever the key has none, not only on the first hit, so no key can outlive its window.
    private const string IncrementScript = """
        local count = redis.call('INCR', KEYS[1])
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return { count, ttl }
        """;

    public bool IsConnected => redis.IsConnected;

    public async Task<WindowCount> IncrementAsync(RateLimitPolicy policy, string partition)
    {
        var windowMilliseconds = policy.WindowSeconds * 1000L;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = now - now % windowMilliseconds;
        var key = $"novabrain:ratelimit:{policy.Name}:{partition}:{windowStart / 1000}";

        var result = (RedisResult[]?)await redis.GetDatabase().ScriptEvaluateAsync(
            IncrementScript, [key], [windowStart + windowMilliseconds - now]);
        return result is [var count, var ttl]
            ? new WindowCount((long)count, TimeSpan.FromMilliseconds((long)ttl))
            : throw new RedisException("The rate limit script answered no count.");
    }
}
