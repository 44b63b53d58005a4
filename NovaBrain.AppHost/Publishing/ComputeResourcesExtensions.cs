using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class ComputeResourcesExtensions
{
    /// <summary>Sets the CPU and memory requests and limits of the resource's container when published.</summary>
    public static IResourceBuilder<T> WithComputeResources<T>(
        this IResourceBuilder<T> builder, string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit)
        where T : IResource =>
        builder.WithAnnotation(new ComputeResourcesAnnotation(cpuRequest, memoryRequest, cpuLimit, memoryLimit), ResourceAnnotationMutationBehavior.Replace);
}
