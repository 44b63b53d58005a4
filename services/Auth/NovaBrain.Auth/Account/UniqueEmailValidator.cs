using Microsoft.AspNetCore.Identity;
using NovaBrain.Auth.Users;

namespace NovaBrain.Auth.Account;

/// <summary>
/// No two users share an email. Identity's own <c>RequireUniqueEmail</c> would also make the email mandatory,
/// which service accounts (no email) cannot satisfy; this one checks only users that have one.
/// </summary>
public sealed class UniqueEmailValidator : IUserValidator<AuthUser>
{
    public async Task<IdentityResult> ValidateAsync(UserManager<AuthUser> manager, AuthUser user)
    {
        var email = await manager.GetEmailAsync(user);
        if (string.IsNullOrWhiteSpace(email))
        {
            return IdentityResult.Success;
        }
        var owner = await manager.FindByEmailAsync(email);
        return owner is null || owner.Id == user.Id
            ? IdentityResult.Success
            : IdentityResult.Failed(manager.ErrorDescriber.DuplicateEmail(email));
    }
}
