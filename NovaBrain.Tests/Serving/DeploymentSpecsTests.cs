extern alias ModelServing;

using ModelServing::NovaBrain.ModelServing.Deployments;
using ModelServing::NovaBrain.ModelServing.Engines;
using ModelServing::NovaBrain.ModelServing.Infrastructure;

namespace NovaBrain.Tests.Serving;

/// <summary>A deployment request turned into a spec: defaults, an update's baseline, and every refusal.</summary>
[TestClass]
public sealed class DeploymentSpecsTests
{
    private static readonly ServingOptions Options = new();

    [TestMethod]
    public void NameAndModelAlone_TakeTheConfiguredDefaults()
    {
        var (spec, problems) = Build(new DeploymentRequest("churn", "models:/churn/3"));

        Assert.IsEmpty(problems);
        Assert.AreEqual(("churn", "models:/churn/3", 1), (spec!.Name, spec.Model, spec.Instances));
        CollectionAssert.AreEqual(new[] { ExecutionProvider.Cuda, ExecutionProvider.Cpu }, spec.Engine.Providers.ToArray());
        Assert.IsFalse(spec.Engine.RequireProvider);
        Assert.AreEqual((32, 1024, TimeSpan.Zero), (spec.Batching.MaxBatchSize, spec.Batching.MaxQueueSize, spec.Batching.MaxQueueDelay));
        Assert.IsNull(spec.Batching.DefaultTimeout);
    }

    [TestMethod]
    public void AnUpdate_KeepsTheSettingsItLeavesOut()
    {
        var (current, _) = Build(new DeploymentRequest("churn", "models:/churn@champion", 2,
            new EngineRequest(["tensorrt", "cpu"], RequireProvider: true), new BatchingRequest(MaxBatchSize: 8, MaxQueueDelayMicroseconds: 500)));

        var (updated, problems) = DeploymentSpecs.Build(new DeploymentRequest(null, "models:/churn/Production"), "churn", current, Options, "/tmp/trt");

        Assert.IsEmpty(problems);
        Assert.AreEqual("models:/churn/Production", updated!.Model);
        Assert.AreEqual(current!.Engine, updated.Engine);
        Assert.AreEqual((2, 8, TimeSpan.FromMicroseconds(500)), (updated.Instances, updated.Batching.MaxBatchSize, updated.Batching.MaxQueueDelay));
    }

    [TestMethod]
    public void ASamplingRate_IsKeptByAnUpdate_AndLeftOutItIsTheServicesRate()
    {
        var (sampled, _) = Build(new DeploymentRequest("churn", "models:/churn/3", Sampling: new SamplingRequest(0.25)));

        var (updated, problems) = DeploymentSpecs.Build(new DeploymentRequest(null, "models:/churn/4"), "churn", sampled, Options, "/tmp/trt");

        Assert.IsEmpty(problems);
        Assert.AreEqual(0.25, updated!.SamplingRate);
        Assert.IsNull(Build(new DeploymentRequest("churn", "models:/churn/3")).Spec!.SamplingRate);
    }

    [TestMethod]
    [DataRow("bad name", "models:/churn/3", "not a deployment name")]
    [DataRow("churn", "churn:3", "not a model reference")]
    [DataRow("churn", "models:/churn@1champion", "not a model reference")]
    public void MalformedNamesAndReferences_AreRefused(string name, string model, string problem)
    {
        var (spec, problems) = Build(new DeploymentRequest(name, model));

        Assert.IsNull(spec);
        Assert.IsTrue(problems.Any(p => p.Contains(problem, StringComparison.Ordinal)), string.Join(" ", problems));
    }

    [TestMethod]
    public void OutOfRangeSettings_AreEachNamed()
    {
        var (spec, problems) = Build(new DeploymentRequest("churn", "models:/churn/3", 0,
            new EngineRequest(["quantum"]), new BatchingRequest(MaxBatchSize: 4, PreferredBatchSizes: [8], MaxQueueSize: -1, TimeoutMicroseconds: 0),
            new SamplingRequest(Rate: 1.5)));

        Assert.IsNull(spec);
        foreach (var expected in new[] { "'quantum' is not an execution provider", "instances", "preferredBatchSizes", "maxQueueSize", "timeoutMicroseconds", "sampling.rate" })
        {
            Assert.IsTrue(problems.Any(p => p.Contains(expected, StringComparison.Ordinal)), $"{expected} in: {string.Join(" ", problems)}");
        }
    }

    private static (DeploymentSpec? Spec, IReadOnlyList<string> Problems) Build(DeploymentRequest request) =>
        DeploymentSpecs.Build(request, request.Name ?? "", baseline: null, Options, "/tmp/trt");
}
