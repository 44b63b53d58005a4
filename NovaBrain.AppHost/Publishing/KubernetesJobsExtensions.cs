using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class KubernetesJobsExtensions
{
    /// <summary>
    /// Lets the service run its jobs as Kubernetes Jobs when published (see <see cref="KubernetesJobsAnnotation"/>), each
    /// Job's pod with <paramref name="gpus"/> GPUs (placed like <see cref="GpuPlacementExtensions.WithGpu"/>), the given
    /// CPU and memory, and <paramref name="jobEnvironment"/> on top of the service's own settings.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithKubernetesJobs(
        this IResourceBuilder<ProjectResource> builder,
        ComputeResourcesAnnotation jobResources,
        IReadOnlyDictionary<string, string> jobEnvironment,
        int gpus = 0,
        int backoffLimit = 3,
        TimeSpan? deadline = null,
        TimeSpan? timeToLive = null,
        string checkpointSize = "100Gi")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(backoffLimit);
        ArgumentOutOfRangeException.ThrowIfNegative(gpus);
        var gpu = gpus == 0 ? null : new GpuAnnotation(gpus, Product: null, GpuAnnotation.DefaultSharedMemory, GpuAnnotation.DefaultModelLoadTime);
        return builder.WithAnnotation(
            new KubernetesJobsAnnotation(backoffLimit, deadline ?? TimeSpan.FromDays(1), timeToLive ?? TimeSpan.FromDays(1), checkpointSize,
                gpu, jobResources, jobEnvironment),
            ResourceAnnotationMutationBehavior.Replace);
    }
}
