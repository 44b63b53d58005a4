using NovaBrain.AppHost.Publishing.Kubernetes;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class PublishingPrimitivesTests
{
    [TestMethod]
    public void ExpandedText_ReferencesInputsAndEscapesLiteralDollars()
    {
        var value = ClusterValue.Concat(
        [
            ClusterValue.Of("user=$(not-a-variable);password="),
            ClusterValue.Of(new DeploymentInput("postgres-password", IsSecret: true)),
        ]);

        Assert.AreEqual("user=$$(not-a-variable);password=$(NOVABRAIN_INPUT_POSTGRES_PASSWORD)", value.AsExpandedText());
        Assert.IsFalse(value.IsText);
        Assert.IsNull(value.WholeInput);
        Assert.AreEqual("identity-issuer", ClusterValue.Of(new DeploymentInput("identity-issuer", IsSecret: false)).WholeInput?.Key);
    }

    [TestMethod]
    [DataRow("novabrain/auth:1.0.0", null, "novabrain/auth", "1.0.0")]
    [DataRow("docker.io/library/postgres:18.3", "docker.io", "library/postgres", "18.3")]
    [DataRow("localhost:5000/novabrain/training:2.1.0-rc.1", "localhost:5000", "novabrain/training", "2.1.0-rc.1")]
    [DataRow("registry.example.com/novabrain/model-serving:3", "registry.example.com", "novabrain/model-serving", "3")]
    public void ImageReference_SplitsRegistryRepositoryAndTag(string reference, string? registry, string repository, string tag)
    {
        var image = ImageReference.Parse(reference);

        Assert.AreEqual((registry, repository, tag), (image.Registry, image.Repository, image.Tag));
        Assert.AreEqual(reference, image.ToString());
    }

    [TestMethod]
    [DataRow("localhost:5000/novabrain/auth")]
    [DataRow("novabrain/auth")]
    public void ImageReference_WithoutATag_IsRefused(string reference) =>
        Assert.ThrowsExactly<KubernetesPublishingException>(() => ImageReference.Parse(reference));

    [TestMethod]
    [DataRow("sku=gpu:NoSchedule", "sku", "Equal", "gpu", "NoSchedule")]
    [DataRow("dedicated:NoExecute", "dedicated", "Exists", null, "NoExecute")]
    [DataRow("nvidia.com/gpu:PreferNoSchedule", "nvidia.com/gpu", "Exists", null, "PreferNoSchedule")]
    public void Toleration_ParsesKeyValueAndEffect(string text, string key, string @operator, string? value, string effect)
    {
        var toleration = GpuScheduling.ParseToleration(text);

        Assert.AreEqual((key, @operator, value, effect), (toleration.Key, toleration.OperatorProperty, toleration.Value, toleration.Effect));
    }
}
