using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Grpc;

public static class RegistryGrpcExtensions
{
    public static IHostApplicationBuilder AddRegistryGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    /// <summary>
    /// Maps novabrain.registry.v1.ModelRegistry. Each method requires the permission its
    /// <see cref="RequirePermissionAttribute"/> names; the answers gRPC gives for methods the service does not have
    /// require an authenticated caller like every other endpoint.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapRegistryGrpc(this IEndpointRouteBuilder app)
    {
        var service = app.MapGrpcService<ModelRegistryService>();
        service.Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<RequirePermissionAttribute>().SingleOrDefault() is { } required)
            {
                var permission = new PermissionMetadata(required.Permission);
                endpoint.Metadata.Add(new AuthorizeAttribute(permission.PolicyName));
                endpoint.Metadata.Add(permission);
            }
            else if (endpoint.Metadata.OfType<GrpcMethodMetadata>().Any())
            {
                throw new InvalidOperationException($"gRPC method {endpoint.DisplayName} does not state the permission it requires.");
            }
            else
            {
                endpoint.Metadata.Add(new AuthorizeAttribute());
            }
        });
        return service;
    }
}
