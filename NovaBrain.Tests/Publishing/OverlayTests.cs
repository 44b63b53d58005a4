using System.Runtime.CompilerServices;
using k8s.Models;
using NovaBrain.AppHost.Publishing.Kustomize;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class OverlayTests
{
    private const string UpdateGoldenVariable = "NOVABRAIN_UPDATE_GOLDEN";

    [TestMethod]
    [DataRow("dev")]
    [DataRow("test")]
    [DataRow("prod")]
    public async Task Overlay_PutsTheBaseInItsOwnNamespaceWithItsInputs(string overlay)
    {
        var published = await PublishedManifests.DefaultAsync();

        var kustomization = Kustomization(published, overlay);
        Assert.AreEqual($"novabrain-{overlay}", kustomization.Namespace);
        CollectionAssert.AreEqual(new[] { "../../base", "namespace.yaml", "network-policy.yaml", "ingress.yaml" }, kustomization.Resources);
        Assert.AreEqual($"novabrain-{overlay}", ObjectsIn<V1Namespace>(published, overlay, "namespace.yaml").Single().Metadata.Name);

        var inputs = kustomization.ConfigMapGenerator!.Single();
        Assert.AreEqual(("novabrain-inputs", "merge"), (inputs.Name, inputs.Behavior));
        CollectionAssert.AreEqual(new[] { $"identity-issuer=http://{overlay}.novabrain.example.com/" }, inputs.Literals);
        var secrets = kustomization.SecretGenerator!.Single();
        Assert.AreEqual(("novabrain-secrets", "replace"), (secrets.Name, secrets.Behavior));
        CollectionAssert.AreEqual(new[] { "secrets.env" }, secrets.Envs);
        Assert.IsNull(kustomization.Images, "the base's images stand where the overlay changes none");
        Assert.IsTrue(kustomization.GeneratorOptions!.DisableNameSuffixHash);
    }

    [TestMethod]
    public async Task Overlay_AdmitsOnlyTheGatewayFromOutsideTheNamespace()
    {
        var published = await PublishedManifests.DefaultAsync();

        var policies = ObjectsIn<V1NetworkPolicy>(published, "dev", "network-policy.yaml");
        var sameNamespace = policies.Single(policy => policy.Metadata.Name == "allow-same-namespace").Spec;
        Assert.IsEmpty(sameNamespace.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        CollectionAssert.AreEqual(new[] { "Ingress" }, sameNamespace.PolicyTypes.ToList());
        var peer = sameNamespace.Ingress.Single().FromProperty.Single();
        Assert.IsNotNull(peer.PodSelector, "from pods of this namespace");
        Assert.IsNull(peer.NamespaceSelector);
        Assert.IsNull(peer.IpBlock);

        var open = policies.Where(policy => policy.Metadata.Name != "allow-same-namespace").ToList();
        var gateway = open.Single().Spec;
        Assert.IsNull(gateway.Ingress.Single().FromProperty, "the gateway is open to every source");
        CollectionAssert.AreEquivalent(new[] { "8080", "8081" }, gateway.Ingress.Single().Ports.Select(port => port.Port.Value).ToList());
        var admitted = published.PodTemplates().Where(pair => gateway.PodSelector.MatchLabels.All(l => pair.Value.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value));
        CollectionAssert.AreEqual(new[] { "gateway-deployment" }, admitted.Select(pair => pair.Key).ToList());

        var ingress = ObjectsIn<V1Ingress>(published, "dev", "ingress.yaml").Single();
        var rule = ingress.Spec.Rules.Single();
        Assert.AreEqual("dev.novabrain.example.com", rule.Host);
        var backend = rule.Http.Paths.Single().Backend.Service;
        Assert.AreEqual(("gateway-service", "http"), (backend.Name, backend.Port.Name));
        Assert.IsNull(ingress.Spec.Tls);
    }

    [TestMethod]
    public async Task Overlay_RoutesGrpcClientsToTheGatewaysHttp2EndpointOverTls()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var ingresses = ObjectsIn<V1Ingress>(published, "prod", "ingress.yaml");
        var http = ingresses.Single(ingress => ingress.Metadata.Name == "gateway-ingress");
        Assert.AreEqual("novabrain.example.org", http.Spec.Rules.Single().Host);
        Assert.IsNull(http.Metadata.Annotations);
        var grpc = ingresses.Single(ingress => ingress.Metadata.Name == "gateway-grpc-ingress");
        var rule = grpc.Spec.Rules.Single();
        Assert.AreEqual("grpc.novabrain.example.org", rule.Host);
        var backend = rule.Http.Paths.Single().Backend.Service;
        Assert.AreEqual(("gateway-service", "grpc"), (backend.Name, backend.Port.Name));
        Assert.AreEqual("GRPC", grpc.Metadata.Annotations[KustomizeLayout.GrpcBackendAnnotation]);
        CollectionAssert.AreEqual(new[] { "grpc.novabrain.example.org" }, grpc.Spec.Tls.Single().Hosts.ToList());
        Assert.AreEqual("novabrain-prod-tls", grpc.Spec.Tls.Single().SecretName);
        Assert.IsFalse(ObjectsIn<V1Ingress>(published, "test", "ingress.yaml").Any(ingress => ingress.Metadata.Name == "gateway-grpc-ingress"));
    }

    [TestMethod]
    public async Task Overlay_WithAGrpcHostButNoTls_FailsThePublish()
    {
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() =>
            PublishedManifests.PublishAsync("NovaBrain:Kubernetes:Overlays:test:GrpcHost=grpc.test.example.org"));

        StringAssert.Contains(failure.Message, "Overlay 'test' sets GrpcHost without TlsSecretName");
    }

    [TestMethod]
    public async Task Overlay_ReplacesRegistryAndTagOfTheServiceImagesOnly()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var images = Kustomization(published, "dev").Images!;
        Assert.HasCount(9, images);
        var serving = images.Single(image => image.Name == "registry.example.com/novabrain/model-serving");
        Assert.AreEqual(("registry.dev.example.com/novabrain/model-serving", "2.1.0"), (serving.NewName, serving.NewTag));
        Assert.IsFalse(images.Any(image => image.Name.Contains("postgres", StringComparison.Ordinal)), "backing servers keep their pinned images");
    }

    [TestMethod]
    [DataRow("NovaBrain:Kubernetes:Overlays:Staging_EU:Host=eu.example.com", "namespace 'novabrain-Staging_EU', which is not a DNS label")]
    [DataRow("NovaBrain:Kubernetes:Overlays:prod:Namespace=novabrain.prod", "namespace 'novabrain.prod', which is not a DNS label")]
    public async Task Overlay_WhoseNamespaceIsNoDnsLabel_FailsThePublish(string setting, string error)
    {
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() => PublishedManifests.PublishAsync(setting));

        StringAssert.Contains(failure.Message, error);
    }

    [TestMethod]
    public async Task Overlay_NamedInConfiguration_IsWrittenBesideTheStandardOnes()
    {
        var published = await PublishedManifests.PublishAsync("NovaBrain:Kubernetes:Overlays:staging:Host=staging.example.com");

        var kustomization = Kustomization(published, "staging");
        Assert.AreEqual("novabrain-staging", kustomization.Namespace);
        CollectionAssert.AreEqual(new[] { "identity-issuer=http://staging.example.com/" }, kustomization.ConfigMapGenerator!.Single().Literals);
        CollectionAssert.AreEquivalent(new[] { "dev", "prod", "staging", "test" }, Directory.GetDirectories(Path.Combine(published.Root, "overlays")).Select(Path.GetFileName).ToList());
    }

    /// <summary>
    /// The dev overlay of the configured publish, file by file, against Golden/dev. After an intended change, regenerate
    /// them with <c>NOVABRAIN_UPDATE_GOLDEN=1 dotnet test --project NovaBrain.Tests --no-build -- --filter
    /// "FullyQualifiedName~OverlayTests.DevOverlay"</c> and review the diff.
    /// </summary>
    [TestMethod]
    public async Task DevOverlay_MatchesTheGoldenFiles()
    {
        var published = await PublishedManifests.ConfiguredAsync();
        var overlay = published.Overlay("dev");
        var golden = Path.Combine(SourceFolder(), "Golden", "dev");

        var files = Directory.GetFiles(overlay).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (Environment.GetEnvironmentVariable(UpdateGoldenVariable) == "1")
        {
            if (Directory.Exists(golden))
            {
                Directory.Delete(golden, recursive: true);
            }

            Directory.CreateDirectory(golden);
            foreach (var file in files)
            {
                File.Copy(Path.Combine(overlay, file!), Path.Combine(golden, file!));
            }
        }

        CollectionAssert.AreEqual(Directory.GetFiles(golden).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList(), files);
        foreach (var file in files)
        {
            Assert.AreEqual(File.ReadAllText(Path.Combine(golden, file!)), File.ReadAllText(Path.Combine(overlay, file!)),
                $"{file} differs from its golden file; if the change is intended, set {UpdateGoldenVariable}=1 and run this test again.");
        }
    }

    private static Kustomization Kustomization(PublishedManifests published, string overlay) =>
        (Kustomization)published.Objects.Single(o => o.File == $"overlays/{overlay}/kustomization.yaml").Object;

    private static List<T> ObjectsIn<T>(PublishedManifests published, string overlay, string file) =>
        published.Objects.Where(o => o.File == $"overlays/{overlay}/{file}").Select(o => o.Object).Cast<T>().ToList();

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
