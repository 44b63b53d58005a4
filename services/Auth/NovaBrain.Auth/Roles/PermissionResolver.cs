using Microsoft.EntityFrameworkCore;
using NovaBrain.Auth.Infrastructure;

namespace NovaBrain.Auth.Roles;

/// <summary>
/// What a user or a machine client may do right now: read at every token and API-key validation, so a change to a
/// role or a user's roles applies to the next token at once.
/// </summary>
public sealed class PermissionResolver(AuthContext context)
{
    /// <summary>The union of the permissions of the user's roles, sorted.</summary>
    public async Task<string[]> ForUserAsync(string userId, CancellationToken cancellationToken) =>
        await context.UserRoles
            .Where(userRole => userRole.UserId == userId)
            .Join(context.RolePermissions, userRole => userRole.RoleId, permission => permission.RoleId, (_, permission) => permission.Permission)
            .Distinct()
            .OrderBy(permission => permission)
            .ToArrayAsync(cancellationToken);

    public async Task<string[]> ForClientAsync(string clientId, CancellationToken cancellationToken) =>
        await context.MachineClients
            .Where(client => client.ClientId == clientId)
            .Select(client => client.Permissions)
            .SingleOrDefaultAsync(cancellationToken) is { } permissions
            ? permissions.Order(StringComparer.Ordinal).ToArray()
            : [];
}
