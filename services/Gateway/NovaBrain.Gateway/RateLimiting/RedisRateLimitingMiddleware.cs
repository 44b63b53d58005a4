using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace NovaBrain.Gateway.RateLimiting;

/// <summary>
/// Counts each limited request against its policy and caller (see <see cref="RateLimitPolicy.For"/>), tells the caller
/// where it stands in <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c>, and answers 429
/// with <c>Retry-After</c> once the window's permits are spent. Runs after authentication, so it knows the caller, and
/// after authorization: requests the edge turns away (401) reach no service and are not counted.
/// </summary>
public sealed partial class RedisRateLimitingMiddleware(
    RequestDelegate next,
    RedisFixedWindowCounter counter,
    IOptions<RateLimitOptions> options,
    ILogger<RedisRateLimitingMiddleware> logger)
{
    private static readonly string ProblemType = NovaBrainProblems.Type("rate-limited");

    private int _redisFailing;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problemDetails)
    {
        if (RateLimitPolicy.For(context, options.Value) is not (var policy, var partition) ||
            await TryIncrementAsync(policy, partition) is not { } window)
        {
            await next(context);
            return;
        }

        var resetSeconds = Math.Max(1, (long)Math.Ceiling(window.ResetAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = policy.PermitLimit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = Math.Max(0, policy.PermitLimit - window.Count).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = resetSeconds;

        if (window.Count <= policy.PermitLimit)
        {
            await next(context);
            return;
        }

        headers.RetryAfter = resetSeconds;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Type = ProblemType,
                Title = "Too many requests",
                Detail = $"The {policy.Name} rate limit of {policy.PermitLimit} requests per {policy.WindowSeconds} s is spent; retry in {resetSeconds} s.",
            },
        });
    }

    /// <summary>
    /// The request's count in its window, or <see langword="null"/> when Redis cannot say. Rate limiting fails open:
    /// without Redis the platform keeps serving, unlimited, rather than the gateway refusing everything. A Redis
    /// that is known to be down is not asked, so requests do not wait for its timeout.
    /// </summary>
    private async Task<WindowCount?> TryIncrementAsync(RateLimitPolicy policy, string partition)
    {
        if (!counter.IsConnected)
        {
            Suspend(exception: null);
            return null;
        }
        try
        {
            var window = await counter.IncrementAsync(policy, partition);
            if (Interlocked.Exchange(ref _redisFailing, 0) == 1)
            {
                LogResumed();
            }
            return window;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Suspend(exception);
            return null;
        }
    }

    /// <summary>Warns once when Redis stops answering, not on every request while it is gone.</summary>
    private void Suspend(Exception? exception)
    {
        if (Interlocked.Exchange(ref _redisFailing, 1) == 0)
        {
            LogSuspended(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limiting is suspended: Redis does not answer; requests pass unlimited until it does")]
    private partial void LogSuspended(Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rate limiting resumed: Redis answers again")]
    private partial void LogResumed();
}
