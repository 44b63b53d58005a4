using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class SharedImageExtensions
{
    /// <summary>Publishes the resource with <paramref name="other"/>'s image (its name, registry and tag), not an image of its own.</summary>
    public static IResourceBuilder<ProjectResource> WithImageOf(this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> other) =>
        builder.WithAnnotation(new SharedImageAnnotation(other.Resource.Name), ResourceAnnotationMutationBehavior.Replace);
}
