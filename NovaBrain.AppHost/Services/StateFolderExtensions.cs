using NovaBrain.AppHost.Infrastructure;

namespace Aspire.Hosting;

public static class StateFolderExtensions
{
    /// <summary>
    /// In a run, points the service's folder setting (e.g. <c>Parameters__Storage__Root</c>) at
    /// <c>{state}/{folderName}</c>, next to the local servers' data, so what it keeps outlives a rebuild and the tests'
    /// systems keep theirs apart. Published, the service keeps its default (a volume mounted under its content root).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFolderInStateFolder(
        this IResourceBuilder<ProjectResource> service, string settingVariable, string folderName)
    {
        var builder = service.ApplicationBuilder;
        if (!builder.ExecutionContext.IsRunMode)
        {
            return service;
        }

        var state = InfrastructureOptions.From(builder.Configuration, builder.AppHostDirectory).StateDirectory;
        return service.WithEnvironment(settingVariable, Path.Combine(state, folderName));
    }
}
