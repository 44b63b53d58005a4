using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NovaBrain.AppHost.Publishing.Kubernetes;
using NovaBrain.AppHost.Publishing.Kustomize;

namespace NovaBrain.Tests.Publishing;

/// <summary>
/// The AppHost published in-process (its <c>publish-kubernetes</c> pipeline step, as <c>./novabrain publish</c> runs it)
/// into a temporary folder, and the files read back with KubernetesClient's strict YAML loader.
/// </summary>
internal sealed class PublishedManifests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(2);
    private static readonly Lazy<Task<PublishedManifests>> DefaultPublish = new(() => PublishAsync());
    private static readonly Lazy<Task<PublishedManifests>> ConfiguredPublish = new(() => PublishAsync(PublishSettings.Configured()));
    private static readonly Lazy<Task<PublishedManifests>> ExternalPublish = new(() => PublishAsync(PublishSettings.External()));

    private PublishedManifests(string root, IReadOnlyList<LoadedObject> objects)
    {
        Root = root;
        Objects = objects;
    }

    /// <summary>The <c>k8s</c> folder.</summary>
    public string Root { get; }

    /// <summary>Every object of the base and the overlays, with the file it came from relative to <see cref="Root"/>.</summary>
    public IReadOnlyList<LoadedObject> Objects { get; }

    public string Base => Path.Combine(Root, KustomizeLayout.BaseFolder);

    public string Overlay(string name) => Path.Combine(Root, KustomizeLayout.OverlaysFolder, name);

    /// <summary>The base's objects of one type.</summary>
    public List<T> InBase<T>() => Objects.Where(o => o.File.StartsWith(KustomizeLayout.BaseFolder + "/", StringComparison.Ordinal)).Select(o => o.Object).OfType<T>().ToList();

    public T Named<T>(string name)
        where T : IKubernetesObject<V1ObjectMeta> =>
        InBase<T>().Single(o => o.Metadata.Name == name);

    /// <summary>The default AppHost (container backing servers, no Kubernetes settings), published once per test run.</summary>
    public static Task<PublishedManifests> DefaultAsync() => DefaultPublish.Value;

    /// <summary>Published with <see cref="PublishSettings.Configured"/>, once per test run.</summary>
    public static Task<PublishedManifests> ConfiguredAsync() => ConfiguredPublish.Value;

    /// <summary>Published with external backing servers (<see cref="PublishSettings.External"/>), once per test run.</summary>
    public static Task<PublishedManifests> ExternalAsync() => ExternalPublish.Value;

    /// <summary>Every file under <see cref="Root"/>, relative to it.</summary>
    public IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(file => Path.GetRelativePath(Root, file).Replace('\\', '/'));

    /// <summary>The pod template of every workload in the base, Job templates included, by workload name.</summary>
    public Dictionary<string, V1PodTemplateSpec> PodTemplates() =>
        InBase<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(InBase<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Template)))
            .Concat(JobTemplates().Select(j => (j.Metadata.Name, j.Spec.Template)))
            .ToDictionary(w => w.Name, w => w.Template);

    /// <summary>The Job templates the base keeps in ConfigMaps for job managers, loaded strictly.</summary>
    public List<V1Job> JobTemplates() =>
        InBase<V1ConfigMap>()
            .Where(configMap => configMap.Data?.ContainsKey(KubernetesModelBuilder.JobTemplateFile) ?? false)
            .Select(configMap => KubernetesYaml.Deserialize<V1Job>(configMap.Data[KubernetesModelBuilder.JobTemplateFile], strict: true))
            .ToList();

    /// <summary>Publishes with <paramref name="settings"/>; a failed step throws <see cref="PublishFailedException"/> with its errors.</summary>
    public static async Task<PublishedManifests> PublishAsync(params string[] settings)
    {
        var output = Path.Combine(Path.GetTempPath(), "novabrain-tests", "publish-" + Guid.NewGuid().ToString("N"));
        var state = Path.Combine(output, "state");
        var errors = new ErrorCollector();
        await using (var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.NovaBrain_AppHost>(
            ["--operation", "publish", "--step", KubernetesPublishingExtensions.StepName, "--output-path", output, $"NovaBrain:StateDirectory={state}", .. settings]))
        {
            builder.Services.AddLogging(logging => logging.AddProvider(errors));
            await using var app = await builder.BuildAsync();
            // A failing step stops the application rather than throwing; its error is logged.
            await app.RunAsync().WaitAsync(PublishTimeout);
        }

        var root = Path.Combine(output, KubernetesPublishingExtensions.OutputFolder);
        return errors.Messages.IsEmpty && Directory.Exists(root)
            ? new PublishedManifests(root, Load(root))
            : throw new PublishFailedException(string.Join(Environment.NewLine, errors.Messages));
    }

    /// <summary>
    /// Loads every YAML file strictly: an unknown field or a duplicate key fails. The string overload is the one that
    /// honours <c>strict</c>; kustomization files load as <see cref="Kustomization"/>.
    /// </summary>
    private static List<LoadedObject> Load(string root)
    {
        var typeMap = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            ["kustomize.config.k8s.io/v1beta1/Kustomization"] = typeof(Kustomization),
        };
        var objects = new List<LoadedObject>();
        foreach (var file in Directory.EnumerateFiles(root, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            foreach (var loaded in KubernetesYaml.LoadAllFromString(File.ReadAllText(file), typeMap, strict: true))
            {
                objects.Add(new LoadedObject(relative, loaded));
            }
        }

        return objects;
    }
}

internal sealed record LoadedObject(string File, object Object);

internal sealed class PublishFailedException(string errors) : Exception($"The publish failed: {errors}");

/// <summary>Collects the errors the publishing application logs.</summary>
internal sealed class ErrorCollector : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Messages.Enqueue(exception is null ? formatter(state, exception) : $"{formatter(state, exception)} {exception.Message}");
        }
    }

    public void Dispose()
    {
    }
}
