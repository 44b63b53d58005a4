using NovaBrain.Security;

namespace NovaBrain.Grpc;

/// <summary>
/// The permission a gRPC method requires, as <c>RequirePermission</c> states it for a REST endpoint;
/// <see cref="GrpcPermissionExtensions.RequireMethodPermissions"/> turns it into the endpoint's authorization.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequirePermissionAttribute : Attribute
{
    public RequirePermissionAttribute(string permission)
    {
        if (!Permissions.IsKnown(permission))
        {
            throw new ArgumentException($"'{permission}' is not a NovaBrain permission; see {nameof(Permissions)}.{nameof(Permissions.All)}.", nameof(permission));
        }
        Permission = permission;
    }

    public string Permission { get; }
}
