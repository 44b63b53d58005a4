using Microsoft.AspNetCore.Identity;
using NovaBrain.Auth.Users;

namespace NovaBrain.Auth.Account;

/// <summary>Who may sign in at all, whatever the method: not a disabled user, not a service account, not locked out.</summary>
public static class SignInPolicy
{
    public const string Disabled = "disabled";
    public const string ServiceAccount = "service-account";
    public const string LockedOut = "locked-out";

    /// <summary>Why <paramref name="user"/> may not sign in now, or null when it may.</summary>
    public static async Task<string?> RefusalAsync(UserManager<AuthUser> users, AuthUser user) =>
        user.IsDisabled ? Disabled
        : user.IsServiceAccount ? ServiceAccount
        : await users.IsLockedOutAsync(user) ? LockedOut
        : null;
}
