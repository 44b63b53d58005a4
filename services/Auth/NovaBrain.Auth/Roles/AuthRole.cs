using Microsoft.AspNetCore.Identity;

namespace NovaBrain.Auth.Roles;

/// <summary>A named set of permissions. Built-in roles can have their permissions changed but cannot be deleted.</summary>
public sealed class AuthRole : IdentityRole
{
    public bool IsBuiltIn { get; set; }

    public List<RolePermission> Permissions { get; set; } = [];
}

public sealed class RolePermission
{
    public required string RoleId { get; set; }

    /// <summary>One of <see cref="NovaBrain.Security.Permissions.All"/>.</summary>
    public required string Permission { get; set; }
}
