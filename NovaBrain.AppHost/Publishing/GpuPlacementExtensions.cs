using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class GpuPlacementExtensions
{
    /// <summary>
    /// Places the resource on GPU nodes when published (see <see cref="GpuAnnotation"/>) and, published only, gives it
    /// <paramref name="cudaSettings"/>: the environment that makes the service choose its CUDA providers. Run locally,
    /// nothing changes: the machine may have no GPU, and the services fall back to the CPU themselves.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGpu(
        this IResourceBuilder<ProjectResource> builder,
        int count = 1,
        string? product = null,
        IReadOnlyDictionary<string, string>? cudaSettings = null,
        string sharedMemory = GpuAnnotation.DefaultSharedMemory,
        TimeSpan? modelLoadTime = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        builder.WithAnnotation(new GpuAnnotation(count, product, sharedMemory, modelLoadTime ?? GpuAnnotation.DefaultModelLoadTime), ResourceAnnotationMutationBehavior.Replace);
        if (cudaSettings is null || !builder.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }

        return builder.WithEnvironment(context =>
        {
            foreach (var (name, value) in cudaSettings)
            {
                context.EnvironmentVariables[name] = value;
            }
        });
    }
}
