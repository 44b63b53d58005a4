using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class AutoscalingExtensions
{
    public static IResourceBuilder<T> WithAutoscaling<T>(this IResourceBuilder<T> builder, int minReplicas, int maxReplicas, int cpuUtilization = 70)
        where T : IResource
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minReplicas, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReplicas, minReplicas);
        return builder.WithAnnotation(new AutoscalingAnnotation(minReplicas, maxReplicas, cpuUtilization), ResourceAnnotationMutationBehavior.Replace);
    }
}
