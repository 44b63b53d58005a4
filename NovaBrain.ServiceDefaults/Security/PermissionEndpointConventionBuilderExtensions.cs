using NovaBrain.Security;

namespace Microsoft.AspNetCore.Builder;

public static class PermissionEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Lets only principals holding <paramref name="permission"/> (a <c>permission</c> claim, from a token or an
    /// API key) call the endpoint or the group's endpoints, and records it as <see cref="PermissionMetadata"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The permission is not one of <see cref="Permissions.All"/>.</exception>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission) where TBuilder : IEndpointConventionBuilder
    {
        if (!Permissions.IsKnown(permission))
        {
            throw new ArgumentException($"'{permission}' is not a NovaBrain permission; see {nameof(Permissions)}.{nameof(Permissions.All)}.", nameof(permission));
        }

        var metadata = new PermissionMetadata(permission);
        return builder.RequireAuthorization(metadata.PolicyName).WithMetadata(metadata);
    }
}
