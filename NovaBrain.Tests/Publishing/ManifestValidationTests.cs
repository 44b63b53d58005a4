using System.Diagnostics;
using System.Runtime.CompilerServices;
using k8s;
using NovaBrain.AppHost.Publishing.Kustomize;
using NovaBrain.Training.Worker.Kubernetes;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class ManifestValidationTests
{
    [TestMethod]
    public async Task Manifests_LoadBackStrictlyAsTypedObjects()
    {
        var published = await PublishedManifests.DefaultAsync();

        // Loading is strict (PublishedManifests); every document came back as a model type, none as a bare map.
        Assert.IsGreaterThan(50, published.Objects.Count);
        Assert.IsTrue(published.Objects.All(o => o.Object is IKubernetesObject or Kustomization), "every document has a known kind");
        var yamlFiles = published.Files().Count(file => file.EndsWith(".yaml", StringComparison.Ordinal));
        Assert.AreEqual(yamlFiles, published.Objects.Select(o => o.File).Distinct().Count());
    }

    [TestMethod]
    public void StrictLoading_RefusesUnknownFields()
    {
        const string Misspelt = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndatta:\n  a: b\n";

        Assert.ThrowsExactly<YamlDotNet.Core.YamlException>(() => KubernetesYaml.LoadAllFromString(Misspelt, strict: true));
    }

    /// <summary>
    /// Validates every object of the base and the overlays against the Kubernetes OpenAPI schemas with the npm package
    /// kubernetes-models (schema-validator/, installed by <c>./novabrain test</c> or <c>npm ci</c> there). GPU placement
    /// patches are partial Deployments by design and are checked by the strict typed load instead.
    /// </summary>
    [TestMethod]
    public async Task Manifests_AreValidAgainstTheKubernetesSchemas()
    {
        var validator = Path.Combine(SourceFolder(), "schema-validator");
        Assert.IsTrue(Directory.Exists(Path.Combine(validator, "node_modules", "kubernetes-models")),
            $"The schema validator is not installed: run 'npm ci' in {validator} (./novabrain test does).");
        var published = await PublishedManifests.ConfiguredAsync();
        var files = published.Objects
            .Where(o => o.Object is IKubernetesObject && !o.File.EndsWith(KustomizeLayout.GpuPlacementFile, StringComparison.Ordinal))
            .GroupBy(o => o.File)
            .ToList();

        // The Job templates job managers read from ConfigMaps are objects too, and so is a Job a worker makes of one.
        var jobTemplates = published.JobTemplates();
        Assert.IsNotEmpty(jobTemplates);
        jobTemplates.Add(new KubernetesJobTemplate(jobTemplates[0]).For(Guid.NewGuid(), attempt: 1));
        var jobFile = Path.Combine(published.Root, "..", "job-templates.yaml");
        await File.WriteAllTextAsync(jobFile, KubernetesYaml.SerializeAll(jobTemplates));

        var (exitCode, output) = await RunNodeAsync(validator, ["validate.js", .. files.Select(file => Path.Combine(published.Root, file.Key)), jobFile]);

        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, $"{files.Sum(file => file.Count()) + jobTemplates.Count} valid, 0 invalid");
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string folder, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("Node.js ('node' on PATH) is needed to validate the manifests against the Kubernetes schemas; install it (e.g. apt-get install nodejs npm).");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
