using Microsoft.AspNetCore.Identity;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;

namespace NovaBrain.Auth.Account;

/// <summary>
/// Checks a user name (or email) and password for the token endpoint's password grant and for the login page,
/// counting failures towards the lockout and announcing the outcome for the audit trail.
/// </summary>
public sealed class PasswordSignIn(
    UserManager<AuthUser> users,
    SignInManager<AuthUser> signInManager,
    AuthContext context,
    IntegrationEventOutbox<AuthContext> outbox)
{
    public const string UnknownUser = "unknown-user";
    public const string WrongPassword = "wrong-password";
    public const string NotAllowed = "not-allowed";

    /// <summary>The user when the password is right and the user may sign in; otherwise null.</summary>
    /// <param name="userName">What was typed: a user name, or the email of one.</param>
    /// <param name="password">The password.</param>
    /// <param name="method">How the user signs in, for the <see cref="UserSignedIn"/> event.</param>
    /// <param name="clientId">The OAuth client asking, when known.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    public async Task<AuthUser?> CheckAsync(
        string userName, string password, string method, string? clientId, CancellationToken cancellationToken)
    {
        var user = await users.FindByNameAsync(userName)
            ?? (userName.Contains('@') ? await users.FindByEmailAsync(userName) : null);
        if (user is null)
        {
            return await FailAsync(userName, UnknownUser, clientId, cancellationToken);
        }
        if (user.IsDisabled || user.IsServiceAccount)
        {
            return await FailAsync(userName, user.IsDisabled ? SignInPolicy.Disabled : SignInPolicy.ServiceAccount, clientId, cancellationToken);
        }

        var wasLockedOut = await users.IsLockedOutAsync(user);
        var result = await signInManager.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            outbox.Add(new UserSignedIn(user.Id, user.UserName!, method, clientId));
            await context.SaveChangesAsync(cancellationToken);
            return user;
        }

        if (result.IsLockedOut && !wasLockedOut)
        {
            var until = await users.GetLockoutEndDateAsync(user) ?? DateTimeOffset.UtcNow;
            outbox.Add(new UserLockedOut(user.Id, user.UserName!, until));
        }
        var reason = result.IsLockedOut ? SignInPolicy.LockedOut : result.IsNotAllowed ? NotAllowed : WrongPassword;
        return await FailAsync(userName, reason, clientId, cancellationToken);
    }

    private async Task<AuthUser?> FailAsync(string userName, string reason, string? clientId, CancellationToken cancellationToken)
    {
        // What was typed goes into the audit trail, not an unbounded payload.
        outbox.Add(new UserSignInFailed(userName.Length > 256 ? userName[..256] : userName, reason, clientId));
        await context.SaveChangesAsync(cancellationToken);
        return null;
    }
}
