using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class PublicEntryPointExtensions
{
    /// <summary>Makes the resource the published application's way in: the ingress routes to it and the network policy admits it alone.</summary>
    public static IResourceBuilder<T> AsPublicEntryPoint<T>(this IResourceBuilder<T> builder)
        where T : IResource =>
        builder.WithAnnotation(new PublicEntryPointAnnotation(), ResourceAnnotationMutationBehavior.Replace);
}
