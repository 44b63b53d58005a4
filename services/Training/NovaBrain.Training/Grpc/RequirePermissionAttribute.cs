using NovaBrain.Security;

namespace NovaBrain.Training.Grpc;

/// <summary>
/// The permission a gRPC method requires, as <c>RequirePermission</c> states it for a REST endpoint;
/// <see cref="TrainingGrpcExtensions.MapTrainingGrpc"/> turns it into the endpoint's authorization.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RequirePermissionAttribute : Attribute
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
