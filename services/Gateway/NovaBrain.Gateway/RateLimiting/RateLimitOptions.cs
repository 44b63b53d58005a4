namespace NovaBrain.Gateway.RateLimiting;

/// <summary>
/// Bound from <c>Gateway:RateLimits</c>: how many requests one caller may make per fixed window, by policy. Every
/// gateway replica counts in the same Redis, so the limits hold for the platform, not per replica.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Gateway:RateLimits";

    /// <summary>Authenticated calls to <c>/v2/...</c> and to any path with an <c>infer</c> segment, per principal.</summary>
    public RateLimitPolicyOptions Inference { get; set; } = new() { PermitLimit = 1000, WindowSeconds = 1 };

    /// <summary>Every other authenticated call, per principal.</summary>
    public RateLimitPolicyOptions Management { get; set; } = new() { PermitLimit = 100, WindowSeconds = 1 };

    /// <summary>Unauthenticated calls (the token endpoint and login pages among them), per client IP address.</summary>
    public RateLimitPolicyOptions Anonymous { get; set; } = new() { PermitLimit = 50, WindowSeconds = 1 };

    public bool IsValid() => new[] { Inference, Management, Anonymous }.All(policy => policy is { PermitLimit: > 0, WindowSeconds: > 0 });
}

public sealed class RateLimitPolicyOptions
{
    public int PermitLimit { get; set; }

    public int WindowSeconds { get; set; }
}
