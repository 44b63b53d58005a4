using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class KubernetesJobsExtensions
{
    /// <summary>Lets the service run its jobs as Kubernetes Jobs when published (see <see cref="KubernetesJobsAnnotation"/>).</summary>
    public static IResourceBuilder<ProjectResource> WithKubernetesJobs(
        this IResourceBuilder<ProjectResource> builder,
        int backoffLimit = 3,
        TimeSpan? deadline = null,
        TimeSpan? timeToLive = null,
        string checkpointSize = "100Gi")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(backoffLimit);
        return builder.WithAnnotation(
            new KubernetesJobsAnnotation(backoffLimit, deadline ?? TimeSpan.FromDays(1), timeToLive ?? TimeSpan.FromDays(1), checkpointSize),
            ResourceAnnotationMutationBehavior.Replace);
    }
}
