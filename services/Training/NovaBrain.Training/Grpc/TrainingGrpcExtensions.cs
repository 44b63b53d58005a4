using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;
using NovaBrain.Security;

namespace NovaBrain.Training.Grpc;

public static class TrainingGrpcExtensions
{
    public static IHostApplicationBuilder AddTrainingGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    /// <summary>
    /// Maps novabrain.training.v1.TrainingJobs. Each method requires the permission its
    /// <see cref="RequirePermissionAttribute"/> names; the answers gRPC gives for methods the service does not have
    /// require an authenticated caller like every other endpoint.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapTrainingGrpc(this IEndpointRouteBuilder app)
    {
        var service = app.MapGrpcService<TrainingJobsService>();
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
