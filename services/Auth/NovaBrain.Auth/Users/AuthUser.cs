using Microsoft.AspNetCore.Identity;

namespace NovaBrain.Auth.Users;

/// <summary>A person or a service account. Service accounts have no password: they act through API keys.</summary>
public sealed class AuthUser : IdentityUser
{
    public string? DisplayName { get; set; }

    public bool IsServiceAccount { get; set; }

    /// <summary>Set by an admin; unlike a lockout it does not expire.</summary>
    public bool IsDisabled { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}
