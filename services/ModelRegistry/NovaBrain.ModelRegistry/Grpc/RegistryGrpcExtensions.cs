using NovaBrain.Grpc;

namespace NovaBrain.ModelRegistry.Grpc;

public static class RegistryGrpcExtensions
{
    public static IHostApplicationBuilder AddRegistryGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    /// <summary>Maps <c>novabrain.registry.v1.ModelRegistry</c>; each method requires the permission it states.</summary>
    public static GrpcServiceEndpointConventionBuilder MapRegistryGrpc(this IEndpointRouteBuilder app) =>
        app.MapGrpcService<ModelRegistryService>().RequireMethodPermissions();
}
