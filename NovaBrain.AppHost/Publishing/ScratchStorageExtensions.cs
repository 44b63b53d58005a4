using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class ScratchStorageExtensions
{
    /// <summary>
    /// Gives a folder of a service (a cache, say) a volume of the pod's own when published, so it survives container
    /// restarts and does not fill the container's writable layer; the pod is evicted if it outgrows the limit.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithScratchStorage(
        this IResourceBuilder<ProjectResource> builder, string name, string mountPath, string sizeLimit) =>
        builder.WithAnnotation(new ScratchStorageAnnotation(name, mountPath, sizeLimit));
}
