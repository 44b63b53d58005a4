using NovaBrain.Grpc;

namespace NovaBrain.Parameters.Grpc;

public static class GrpcExtensions
{
    /// <summary>gRPC with its defaults: messages up to 4 MiB, so clients send chunks of 1 MiB.</summary>
    public static IHostApplicationBuilder AddParameterStoreGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    /// <summary>
    /// Maps <c>novabrain.parameters.v1.ParameterStore</c>; each method requires the permission it states
    /// (<c>params:read</c> or <c>params:write</c>).
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapParameterStoreGrpc(this IEndpointRouteBuilder app) =>
        app.MapGrpcService<ParameterStoreService>().RequireMethodPermissions();
}
