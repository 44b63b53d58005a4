using NovaBrain.AppHost.Infrastructure;

namespace Aspire.Hosting;

public static class ParametersStorageExtensions
{
    public const string BlobsFolderName = "blobs";

    /// <summary>
    /// In a run, keeps the parameter service's blob store in the state folder (<c>{state}/blobs</c>), next to the
    /// local servers' data, so blobs outlive a rebuild and the tests' systems keep theirs apart. Published, the
    /// service keeps its default (a volume mounted at its content root's <c>data/blobs</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBlobStorageInStateFolder(this IResourceBuilder<ProjectResource> parameters)
    {
        var builder = parameters.ApplicationBuilder;
        if (!builder.ExecutionContext.IsRunMode)
        {
            return parameters;
        }

        var state = InfrastructureOptions.From(builder.Configuration, builder.AppHostDirectory).StateDirectory;
        return parameters.WithEnvironment("Parameters__Storage__Root", Path.Combine(state, BlobsFolderName));
    }
}
