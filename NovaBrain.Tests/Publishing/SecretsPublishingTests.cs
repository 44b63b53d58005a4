using k8s.Models;
using NovaBrain.AppHost.Publishing.Kubernetes;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class SecretsPublishingTests
{
    [TestMethod]
    public async Task Secrets_ConfiguredValuesReachNoFile()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        foreach (var secret in new[] { PublishSettings.AdminPassword, PublishSettings.PostgresPassword, PublishSettings.GatewayClientSecret })
        {
            KubernetesPublishingTests.AssertNoFileContains(published, secret);
        }
    }

    [TestMethod]
    public async Task Secrets_TheBaseSecretHoldsNoValueAndListsEveryKeyTheWorkloadsRead()
    {
        var published = await PublishedManifests.DefaultAsync();

        var secret = published.InBase<V1Secret>().Single();
        Assert.AreEqual(ClusterNames.InputsSecret, secret.Metadata.Name);
        Assert.IsNull(secret.Data);
        Assert.IsNull(secret.StringData);
        var required = secret.Metadata.Annotations[ClusterNames.RequiredKeysAnnotation].Split(',');
        var read = published.PodTemplates().Values
            .SelectMany(template => template.Spec.Containers.Single().Env ?? [])
            .Select(variable => variable.ValueFrom?.SecretKeyRef)
            .OfType<V1SecretKeySelector>()
            .ToList();
        Assert.IsTrue(read.All(reference => reference.Name == ClusterNames.InputsSecret));
        CollectionAssert.AreEquivalent(read.Select(reference => reference.Key).Distinct().ToList(), required);
        CollectionAssert.IsSubsetOf(new[] { "admin-password", "postgres-password", "eventbus-password", "redis-password", "mongo-password", "gateway-client-secret" }, required);

        // Each overlay fills the Secret from a file of its own that is never committed, and lists the keys it needs.
        foreach (var overlay in new[] { "dev", "test", "prod" })
        {
            var example = File.ReadAllLines(Path.Combine(published.Overlay(overlay), "secrets.env.example")).Where(line => !line.StartsWith('#')).ToList();
            CollectionAssert.AreEqual(required.Select(key => $"{key}=").ToList(), example);
            CollectionAssert.Contains(File.ReadAllLines(Path.Combine(published.Overlay(overlay), ".gitignore")), "secrets.env");
        }
    }

    [TestMethod]
    public async Task ConfigMaps_HoldNoSecretInput()
    {
        var published = await PublishedManifests.DefaultAsync();
        var secretKeys = published.InBase<V1Secret>().Single().Metadata.Annotations[ClusterNames.RequiredKeysAnnotation].Split(',');

        foreach (var configMap in published.InBase<V1ConfigMap>())
        {
            foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
            {
                Assert.IsFalse(secretKeys.Contains(key), $"{configMap.Metadata.Name} has the secret key {key}");
                Assert.IsFalse(key.EndsWith("PASSWORD", StringComparison.Ordinal) || key.EndsWith("Secret", StringComparison.Ordinal) || key.StartsWith("ConnectionStrings__", StringComparison.Ordinal),
                    $"{configMap.Metadata.Name}.{key} = {value} belongs in the Secret");
            }
        }

        var inputs = published.Named<V1ConfigMap>(ClusterNames.InputsConfigMap);
        CollectionAssert.AreEquivalent(new[] { "identity-issuer" }, inputs.Data.Keys.ToList());
        Assert.AreEqual(PublishSettings.Issuer, (await PublishedManifests.ConfiguredAsync()).Named<V1ConfigMap>(ClusterNames.InputsConfigMap).Data["identity-issuer"]);
    }
}
