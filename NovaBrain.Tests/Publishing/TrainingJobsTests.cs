using k8s;
using k8s.Models;
using NovaBrain.AppHost.Publishing;
using NovaBrain.AppHost.Publishing.Kubernetes;
using NovaBrain.AppHost.Publishing.Kustomize;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed class TrainingJobsTests
{
    [TestMethod]
    public async Task JobTemplate_RetriesDisruptionsFreelyAndStopsAtUnrecoverableFailures()
    {
        var published = await PublishedManifests.DefaultAsync();

        var job = published.JobTemplates().Single();
        Assert.AreEqual("training-job", job.Metadata.Name);
        var spec = job.Spec;
        Assert.AreEqual((1, 1, 3), (spec.Completions, spec.Parallelism, spec.BackoffLimit));
        Assert.AreEqual(86400L, spec.ActiveDeadlineSeconds);
        Assert.AreEqual(86400, spec.TtlSecondsAfterFinished);
        Assert.AreEqual("Never", spec.Template.Spec.RestartPolicy);

        var ignore = spec.PodFailurePolicy.Rules.Single(rule => rule.Action == "Ignore").OnPodConditions.Single();
        Assert.AreEqual(("DisruptionTarget", "True"), (ignore.Type, ignore.Status));
        var fail = spec.PodFailurePolicy.Rules.Single(rule => rule.Action == "FailJob").OnExitCodes;
        Assert.AreEqual(("training-job", "In"), (fail.ContainerName, fail.OperatorProperty));
        CollectionAssert.AreEqual(new[] { KubernetesJobsAnnotation.UnrecoverableExitCode }, fail.Values.ToList());

        var container = spec.Template.Spec.Containers.Single();
        Assert.AreEqual("training-job", container.Name);
        Assert.AreEqual(published.Named<V1Deployment>("training-deployment").Spec.Template.Spec.Containers.Single().Image, container.Image);
        Assert.AreEqual("training-config", container.EnvFrom.Single().ConfigMapRef.Name);
        Assert.AreEqual(KubernetesJobsAnnotation.CheckpointPath, container.VolumeMounts.Single(mount => mount.Name == "checkpoints").MountPath);
        var claim = spec.Template.Spec.Volumes.Single(volume => volume.Name == "checkpoints").PersistentVolumeClaim.ClaimName;
        CollectionAssert.AreEqual(new[] { "ReadWriteMany" }, published.Named<V1PersistentVolumeClaim>(claim).Spec.AccessModes.ToList());
        Assert.IsNull(container.Ports, "a job serves nothing");
    }

    [TestMethod]
    public async Task JobManager_RunsJobsWithItsOwnServiceAccountAndNobodyElseTalksToTheApiServer()
    {
        var published = await PublishedManifests.DefaultAsync();

        var training = published.Named<V1Deployment>("training-deployment").Spec.Template.Spec;
        Assert.AreEqual("training-job-runner", training.ServiceAccountName);
        Assert.IsNull(training.AutomountServiceAccountToken);
        var container = training.Containers.Single();
        Assert.AreEqual("/etc/novabrain/jobs/job.yaml", container.Env.Single(env => env.Name == KubernetesModelBuilder.JobTemplatePathVariable).Value);
        Assert.AreEqual("metadata.namespace", container.Env.Single(env => env.Name == KubernetesModelBuilder.JobNamespaceVariable).ValueFrom.FieldRef.FieldPath);
        var template = training.Volumes.Single(volume => volume.ConfigMap?.Name == "training-job-template");
        Assert.AreEqual("/etc/novabrain/jobs", container.VolumeMounts.Single(mount => mount.Name == template.Name).MountPath);

        var role = published.Named<V1Role>("training-job-runner");
        var jobs = role.Rules.Single(rule => rule.ApiGroups.Contains("batch"));
        CollectionAssert.AreEqual(new[] { "jobs" }, jobs.Resources.ToList());
        CollectionAssert.IsSubsetOf(new[] { "create", "get", "watch", "delete" }, jobs.Verbs.ToList());
        Assert.IsFalse(role.Rules.Any(rule => rule.Verbs.Contains("*") || rule.Resources.Contains("secrets")), "the role grants what running jobs needs, no more");
        var binding = published.Named<V1RoleBinding>("training-job-runner");
        Assert.AreEqual(("Role", "training-job-runner"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.AreEqual(("ServiceAccount", "training-job-runner"), (binding.Subjects.Single().Kind, binding.Subjects.Single().Name));
        Assert.IsNull(binding.Subjects.Single().NamespaceProperty, "the account of the binding's own namespace, in every overlay");
        published.Named<V1ServiceAccount>("training-job-runner");

        foreach (var (name, pod) in published.PodTemplates().Where(pair => pair.Key != "training-deployment"))
        {
            Assert.IsFalse(pod.Spec.AutomountServiceAccountToken ?? true, $"{name} mounts an API token");
        }
    }

    [TestMethod]
    public async Task Overlays_RewriteTheJobTemplateWithTheirGpuPlacementAndImages()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var prod = (Kustomization)published.Objects.Single(o => o.File == "overlays/prod/kustomization.yaml").Object;
        var generator = prod.ConfigMapGenerator!.Single(g => g.Name == "training-job-template");
        Assert.AreEqual("replace", generator.Behavior);
        CollectionAssert.AreEqual(new[] { "job.yaml=training-job-template.yaml" }, generator.Files);
        Assert.IsTrue(prod.GeneratorOptions!.DisableNameSuffixHash, "the template refers to the generated inputs by their plain names");

        Assert.AreEqual("shared-files", published.Named<V1PersistentVolumeClaim>("training-checkpoints").Spec.StorageClassName);
        Assert.AreEqual("fast-ssd", published.Named<V1PersistentVolumeClaim>("parameters-blobs").Spec.StorageClassName);
        Assert.AreEqual("fast-ssd", published.Named<V1StatefulSet>("postgres-statefulset").Spec.VolumeClaimTemplates.Single().Spec.StorageClassName);
        var job = (V1Job)published.Objects.Single(o => o.File == "overlays/prod/training-job-template.yaml").Object;
        var pod = job.Spec.Template.Spec;
        var expressions = pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions;
        CollectionAssert.AreEqual(new[] { "NVIDIA-A100-SXM4-80GB" }, expressions.Single(e => e.Key == GpuScheduling.ProductLabel).Values.ToList());
        Assert.AreEqual("nvidia", pod.RuntimeClassName);
        Assert.AreEqual("registry.example.com/novabrain/training:3.0.1", pod.Containers.Single().Image, "prod keeps the base's images");

        var dev = (V1Job)published.Objects.Single(o => o.File == "overlays/dev/training-job-template.yaml").Object;
        Assert.AreEqual("registry.dev.example.com/novabrain/training:2.1.0", dev.Spec.Template.Spec.Containers.Single().Image);
        Assert.IsFalse(File.Exists(Path.Combine(published.Overlay("test"), "training-job-template.yaml")), "test changes neither");
        Assert.AreEqual(
            KubernetesYaml.Serialize(published.JobTemplates().Single().Spec.PodFailurePolicy),
            KubernetesYaml.Serialize(job.Spec.PodFailurePolicy));
    }
}
