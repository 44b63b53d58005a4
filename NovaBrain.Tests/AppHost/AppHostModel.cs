namespace NovaBrain.Tests.AppHost;

/// <summary>Builds the AppHost's model with the given settings, without starting anything.</summary>
internal static class AppHostModel
{
    public static async Task<IDistributedApplicationTestingBuilder> BuildAsync(params string[] settings)
    {
        var state = Path.Combine(Path.GetTempPath(), "novabrain-tests", Guid.NewGuid().ToString("N"));
        return await BuildInStateAsync(state, settings);
    }

    public static async Task<IDistributedApplicationTestingBuilder> BuildInStateAsync(string state, params string[] settings) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.NovaBrain_AppHost>([$"NovaBrain:StateDirectory={state}", .. settings]);

    public static T Single<T>(this IDistributedApplicationTestingBuilder builder, string name)
        where T : IResource =>
        builder.Resources.OfType<T>().Single(resource => resource.Name == name);

    public static IEnumerable<string> WaitsFor(this IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name);

    public static async Task<Dictionary<string, object>> EnvironmentAsync(this IResourceWithEnvironment resource)
    {
        var context = new EnvironmentCallbackContext(
            new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, new Dictionary<string, object>());
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return context.EnvironmentVariables;
    }
}
