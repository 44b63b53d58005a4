using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class PersistentStorageExtensions
{
    /// <summary>
    /// Keeps a folder of a service on a PersistentVolumeClaim when published. The claim is ReadWriteOnce, so the
    /// Deployment is updated by recreating its pod rather than rolling.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPersistentStorage(
        this IResourceBuilder<ProjectResource> builder, string name, string mountPath, string size) =>
        builder.WithAnnotation(new PersistentStorageAnnotation(name, mountPath, size));
}
