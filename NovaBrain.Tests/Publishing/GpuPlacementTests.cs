using k8s.Models;
using NovaBrain.AppHost.Publishing.Kubernetes;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class GpuPlacementTests
{
    /// <summary>Serving and the training workers, which train on their own GPUs by default.</summary>
    private static readonly string[] GpuDeployments = ["model-serving-deployment", "training-worker-deployment"];

    /// <summary>With jobs run as Kubernetes Jobs, the Jobs get the GPUs and the workers that launch them none.</summary>
    private static readonly string[] GpuWorkloadsWithJobs = ["model-serving-deployment", "training-worker-job"];

    [TestMethod]
    public async Task Gpu_LimitAffinityAndTolerationExactlyOnServingAndTheTrainingWorkers()
    {
        AssertGpuExactlyOn(await PublishedManifests.DefaultAsync(), GpuDeployments);
    }

    [TestMethod]
    public async Task Gpu_WithKubernetesJobs_IsOnTheJobsAndNotOnTheWorkersThatLaunchThem()
    {
        AssertGpuExactlyOn(await PublishedManifests.ConfiguredAsync(), GpuWorkloadsWithJobs);
    }

    private static void AssertGpuExactlyOn(PublishedManifests published, string[] gpuWorkloads)
    {
        CollectionAssert.IsSubsetOf(gpuWorkloads, published.PodTemplates().Keys.ToList());
        foreach (var (name, template) in published.PodTemplates())
        {
            var pod = template.Spec;
            var resources = pod.Containers.Single().Resources;
            var tolerates = (pod.Tolerations ?? []).Any(t => t.Key == "nvidia.com/gpu");
            var requiresGpuNodes = pod.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution is not null;
            if (!gpuWorkloads.Contains(name))
            {
                Assert.IsFalse(resources.Limits.ContainsKey("nvidia.com/gpu") || (resources.Requests?.ContainsKey("nvidia.com/gpu") ?? false), $"{name} asks for a GPU");
                Assert.IsFalse(tolerates, $"{name} tolerates the GPU taint");
                Assert.IsFalse(requiresGpuNodes, $"{name} requires GPU nodes");
                continue;
            }

            var limit = resources.Limits["nvidia.com/gpu"];
            Assert.AreEqual(1m, limit.ToDecimal(), name);
            Assert.AreEqual("1", limit.ToString(), $"{name}: a GPU limit is a whole number");
            if (resources.Requests.TryGetValue("nvidia.com/gpu", out var request))
            {
                Assert.AreEqual(limit.ToDecimal(), request.ToDecimal(), $"{name}: a GPU request equals the limit");
            }

            var term = pod.Affinity!.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single();
            var present = term.MatchExpressions.Single(expression => expression.Key == "nvidia.com/gpu.present");
            Assert.AreEqual("In", present.OperatorProperty);
            CollectionAssert.AreEqual(new[] { "true" }, present.Values.ToList());
            Assert.IsFalse(term.MatchExpressions.Any(expression => expression.Key == "nvidia.com/gpu.product"), $"{name}: no product was named");

            var toleration = pod.Tolerations!.Single();
            Assert.AreEqual(("nvidia.com/gpu", "Exists", "NoSchedule"), (toleration.Key, toleration.OperatorProperty, toleration.Effect));
            Assert.IsNull(pod.RuntimeClassName, $"{name}: the runtime class is set only when configured");
        }
    }

    [TestMethod]
    public async Task Gpu_WorkloadsRollWithoutASpareGpuAndWaitForModelsToLoad()
    {
        var published = await PublishedManifests.DefaultAsync();

        foreach (var name in GpuDeployments)
        {
            var deployment = published.Named<V1Deployment>(name);
            Assert.AreEqual("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.AreEqual("0", deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value, name);
            Assert.AreEqual("1", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value, name);

            var pod = deployment.Spec.Template.Spec;
            var shm = pod.Volumes.Single(volume => volume.Name == "dshm").EmptyDir;
            Assert.AreEqual("Memory", shm.Medium);
            Assert.AreEqual("2Gi", shm.SizeLimit.ToString());
            var container = pod.Containers.Single();
            Assert.AreEqual("dshm", container.VolumeMounts.Single(mount => mount.MountPath == "/dev/shm").Name);

            var startup = container.StartupProbe;
            Assert.IsGreaterThanOrEqualTo(15 * 60, (startup.PeriodSeconds ?? 10) * (startup.FailureThreshold ?? 3), $"{name}: startup covers model loading");
            Assert.IsFalse((container.Env ?? []).Any(variable => variable.Name == "NVIDIA_VISIBLE_DEVICES"), "the device plugin sets the visible devices");
        }

        // Serving keeps downloaded models beside it, beyond container restarts and within a limit.
        var serving = published.Named<V1Deployment>("model-serving-deployment").Spec.Template.Spec;
        Assert.AreEqual("25Gi", serving.Volumes.Single(volume => volume.Name == "model-cache").EmptyDir.SizeLimit.ToString());
        Assert.AreEqual("/app/data/model-cache", serving.Containers.Single().VolumeMounts.Single(mount => mount.Name == "model-cache").MountPath);

        var others = published.InBase<V1Deployment>().Where(d => !GpuDeployments.Contains(d.Metadata.Name)).Select(d => d.Spec.Template.Spec);
        Assert.IsTrue(others.All(pod => (pod.Volumes ?? []).All(volume => volume.Name != "dshm")));
    }

    [TestMethod]
    public async Task Gpu_WorkloadsSelectTheirCudaProviders()
    {
        var published = await PublishedManifests.DefaultAsync();

        var serving = published.Named<V1ConfigMap>("model-serving-config").Data;
        CollectionAssert.AreEqual(
            new[] { "TensorRT", "CUDA", "CPU" },
            new[] { serving["ModelServing__Defaults__Providers__0"], serving["ModelServing__Defaults__Providers__1"], serving["ModelServing__Defaults__Providers__2"] });
        foreach (var configMap in published.InBase<V1ConfigMap>().Where(c => c.Metadata.Name is not "model-serving-config"))
        {
            Assert.IsFalse((configMap.Data ?? new Dictionary<string, string>()).Keys.Any(key => key.Contains("Providers", StringComparison.Ordinal)),
                configMap.Metadata.Name);
        }
    }

    [TestMethod]
    public async Task Gpu_PodsTakeTheConfiguredPriorityClass()
    {
        var configured = await PublishedManifests.ConfiguredAsync();
        var defaults = await PublishedManifests.DefaultAsync();

        foreach (var (name, template) in configured.PodTemplates())
        {
            Assert.AreEqual(GpuWorkloadsWithJobs.Contains(name) ? "gpu-serving" : null, template.Spec.PriorityClassName, name);
        }

        Assert.IsTrue(defaults.PodTemplates().Values.All(template => template.Spec.PriorityClassName is null));
    }

    [TestMethod]
    public async Task Overlays_PinTheGpuProductAndAddTolerationsAndTheRuntimeClass()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var patches = published.Objects.Where(o => o.File == "overlays/prod/gpu-placement.yaml").Select(o => (V1Deployment)o.Object).ToList();
        CollectionAssert.AreEquivalent(new[] { "model-serving-deployment" }, patches.Select(p => p.Metadata.Name).ToList(), "the Job template is rewritten whole instead");
        foreach (var patch in patches)
        {
            var pod = patch.Spec.Template.Spec;
            var expressions = pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions;
            CollectionAssert.AreEqual(new[] { "true" }, expressions.Single(e => e.Key == GpuScheduling.PresentLabel).Values.ToList());
            CollectionAssert.AreEqual(new[] { "NVIDIA-A100-SXM4-80GB" }, expressions.Single(e => e.Key == GpuScheduling.ProductLabel).Values.ToList());
            CollectionAssert.AreEqual(
                new[] { "nvidia.com/gpu:Exists::NoSchedule", "sku:Equal:gpu:NoSchedule", "dedicated:Exists::NoExecute" },
                pod.Tolerations.Select(t => $"{t.Key}:{t.OperatorProperty}:{t.Value}:{t.Effect}").ToList());
            Assert.AreEqual("nvidia", pod.RuntimeClassName);
            Assert.IsNull(patch.Spec.Replicas, "a patch never sets the replicas the autoscaler owns");
        }

        var prod = published.Objects.Single(o => o.File == "overlays/prod/kustomization.yaml").Object as NovaBrain.AppHost.Publishing.Kustomize.Kustomization;
        Assert.AreEqual("gpu-placement.yaml", prod!.Patches!.Single().Path);
        Assert.IsFalse(File.Exists(Path.Combine(published.Overlay("test"), "gpu-placement.yaml")), "test sets nothing about GPUs");
    }

    [TestMethod]
    [DataRow("sku=gpu")]
    [DataRow("sku=gpu:Sometimes")]
    public async Task Overlays_WithAMalformedToleration_FailThePublish(string toleration)
    {
        var error = await Assert.ThrowsAsync<PublishFailedException>(() =>
            PublishedManifests.PublishAsync($"NovaBrain:Kubernetes:Overlays:prod:GpuTolerations:0={toleration}"));

        StringAssert.Contains(error.Message, $"GPU toleration '{toleration}' is not key[=value]:Effect");
    }
}
