using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using NovaBrain.Security;

namespace NovaBrain.Grpc;

public static class GrpcPermissionExtensions
{
    /// <summary>
    /// Each method of the service requires the permission its <see cref="RequirePermissionAttribute"/> names, a method
    /// marked <c>[AllowAnonymous]</c> stays open, and one that does neither fails start-up; the answers gRPC gives for
    /// methods the service does not have require an authenticated caller like every other endpoint.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder RequireMethodPermissions(this GrpcServiceEndpointConventionBuilder service)
    {
        service.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequirePermissionAttribute>().SingleOrDefault() is { } required)
            {
                var permission = new PermissionMetadata(required.Permission);
                endpoint.Metadata.Add(new AuthorizeAttribute(permission.PolicyName));
                endpoint.Metadata.Add(permission);
            }
            else if (!endpoint.Metadata.OfType<IAllowAnonymous>().Any())
            {
                if (endpoint.Metadata.OfType<GrpcMethodMetadata>().Any())
                {
                    throw new InvalidOperationException($"gRPC method {endpoint.DisplayName} does not state the permission it requires.");
                }
                endpoint.Metadata.Add(new AuthorizeAttribute());
            }
        });
        return service;
    }
}
