using NovaBrain.Grpc;

namespace NovaBrain.Training.Grpc;

public static class TrainingGrpcExtensions
{
    public static IHostApplicationBuilder AddTrainingGrpc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddGrpc();
        return builder;
    }

    /// <summary>Maps <c>novabrain.training.v1.TrainingJobs</c>; each method requires the permission it states.</summary>
    public static GrpcServiceEndpointConventionBuilder MapTrainingGrpc(this IEndpointRouteBuilder app) =>
        app.MapGrpcService<TrainingJobsService>().RequireMethodPermissions();
}
