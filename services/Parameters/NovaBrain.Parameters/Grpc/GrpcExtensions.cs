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
    /// Maps <c>novabrain.parameters.v1.ParameterStore</c>. Every call must be authenticated; each method then requires
    /// its own permission (<c>params:read</c> or <c>params:write</c>, attributes on the methods).
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapParameterStoreGrpc(this IEndpointRouteBuilder app) =>
        app.MapGrpcService<ParameterStoreService>().RequireAuthorization();
}
