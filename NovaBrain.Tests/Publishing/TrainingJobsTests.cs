using k8s;
using k8s.Models;
using NovaBrain.AppHost.Publishing;
using NovaBrain.AppHost.Publishing.Kubernetes;
using NovaBrain.AppHost.Publishing.Kustomize;
using NovaBrain.Training.Worker;
using NovaBrain.Training.Worker.Kubernetes;

namespace NovaBrain.Tests.Publishing;

/// <summary>
/// The training workers published: by default a GPU Deployment of worker replicas that train themselves; with
/// <c>NovaBrain:Training:Execution=KubernetesJobs</c> (the configured publish) workers that launch each job as a Job.
/// </summary>
[TestClass]
public sealed class TrainingJobsTests
{
    [TestMethod]
    public async Task Workers_AreAGpuDeploymentOfTheConfiguredReplicas_RunningTheTrainingImageInTheWorkerRole()
    {
        var published = await PublishedManifests.DefaultAsync();

        var worker = published.Named<V1Deployment>("training-worker-deployment");
        Assert.AreEqual(2, worker.Spec.Replicas);
        Assert.IsFalse(published.InBase<V2HorizontalPodAutoscaler>().Any(hpa => hpa.Spec.ScaleTargetRef.Name == "training-worker-deployment"));
        var api = published.Named<V1Deployment>("training-deployment");
        Assert.AreEqual(1, api.Spec.Replicas);
        Assert.AreEqual(api.Spec.Template.Spec.Containers.Single().Image, worker.Spec.Template.Spec.Containers.Single().Image, "one image, two roles");
        StringAssert.Contains(worker.Spec.Template.Spec.Containers.Single().Image, "novabrain/training:");

        Assert.AreEqual("Worker", published.Named<V1ConfigMap>("training-worker-config").Data["Training__Role"]);
        Assert.IsFalse(published.Named<V1ConfigMap>("training-config").Data.ContainsKey("Training__Role"), "the API role is the default");
        var limits = worker.Spec.Template.Spec.Containers.Single().Resources.Limits;
        Assert.AreEqual(("1", "8", "32Gi"), (limits["nvidia.com/gpu"].ToString(), limits["cpu"].ToString(), limits["memory"].ToString()));
        Assert.IsFalse(api.Spec.Template.Spec.Containers.Single().Resources.Limits.ContainsKey("nvidia.com/gpu"), "the API trains nothing");

        // Without Jobs, no pod talks to the API server and there is no Job template.
        Assert.IsEmpty(published.JobTemplates());
        Assert.IsEmpty(published.InBase<V1Role>());
        Assert.IsTrue(published.PodTemplates().Values.All(pod => pod.Spec.AutomountServiceAccountToken == false));
    }

    [TestMethod]
    public async Task JobTemplate_RetriesDisruptionsFreelyAndStopsAtUnrecoverableFailures()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var job = published.JobTemplates().Single();
        Assert.AreEqual("training-worker-job", job.Metadata.Name);
        var spec = job.Spec;
        Assert.AreEqual((1, 1, 3), (spec.Completions, spec.Parallelism, spec.BackoffLimit));
        Assert.AreEqual(86400L, spec.ActiveDeadlineSeconds);
        Assert.AreEqual(86400, spec.TtlSecondsAfterFinished);
        Assert.AreEqual("Never", spec.Template.Spec.RestartPolicy);

        var ignore = spec.PodFailurePolicy.Rules.Single(rule => rule.Action == "Ignore").OnPodConditions.Single();
        Assert.AreEqual(("DisruptionTarget", "True"), (ignore.Type, ignore.Status));
        var fail = spec.PodFailurePolicy.Rules.Single(rule => rule.Action == "FailJob").OnExitCodes;
        Assert.AreEqual(("training-worker-job", "In"), (fail.ContainerName, fail.OperatorProperty));
        CollectionAssert.AreEqual(new[] { JobExitCodes.Unrecoverable }, fail.Values.ToList(), "the code the Job's process exits with when its job failed for good");

        var container = spec.Template.Spec.Containers.Single();
        Assert.AreEqual("training-worker-job", container.Name);
        Assert.AreEqual(published.Named<V1Deployment>("training-deployment").Spec.Template.Spec.Containers.Single().Image, container.Image);
        Assert.AreEqual("training-worker-config", container.EnvFrom.Single().ConfigMapRef.Name);
        Assert.AreEqual("Job", container.Env.Single(variable => variable.Name == KubernetesJobTemplate.RoleVariable).Value, "the pod runs one job");
        Assert.AreEqual(KubernetesJobsAnnotation.CheckpointPath, container.VolumeMounts.Single(mount => mount.Name == "checkpoints").MountPath);
        var claim = spec.Template.Spec.Volumes.Single(volume => volume.Name == "checkpoints").PersistentVolumeClaim.ClaimName;
        CollectionAssert.AreEqual(new[] { "ReadWriteMany" }, published.Named<V1PersistentVolumeClaim>(claim).Spec.AccessModes.ToList());
        Assert.IsNull(container.Ports, "a job serves nothing");
        Assert.AreEqual(("8", "32Gi", "1"), (container.Resources.Limits["cpu"].ToString(), container.Resources.Limits["memory"].ToString(), container.Resources.Limits["nvidia.com/gpu"].ToString()));
    }

    [TestMethod]
    public async Task JobOfAJob_IsTheTemplateNamedForTheJobAndAttempt_WithTheJobInItsEnvironment()
    {
        var published = await PublishedManifests.ConfiguredAsync();
        var templateFile = Path.Combine(published.Root, "..", "job-template-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(templateFile, published.Named<V1ConfigMap>("training-worker-job-template").Data[KubernetesModelBuilder.JobTemplateFile]);
        var template = KubernetesJobTemplate.Load(templateFile);
        var jobId = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        var job = template.For(jobId, attempt: 3);

        Assert.AreEqual("training-worker-job-0f8fad5bd9cb469fa16570867728950e-3", job.Metadata.Name);
        Assert.IsLessThanOrEqualTo(63, job.Metadata.Name.Length, "a Job's name becomes a label value of its pods");
        Assert.AreEqual(KubernetesYaml.Serialize(job), KubernetesYaml.Serialize(template.For(jobId, attempt: 3)), "the same job and attempt, the same Job");
        Assert.AreNotEqual(job.Metadata.Name, template.For(jobId, attempt: 4).Metadata.Name);
        foreach (var labels in new[] { job.Metadata.Labels, job.Spec.Template.Metadata.Labels })
        {
            Assert.AreEqual(jobId.ToString(), labels[KubernetesJobTemplate.JobIdLabel]);
            Assert.AreEqual("3", labels[KubernetesJobTemplate.AttemptLabel]);
            Assert.AreEqual("training-worker-job", labels[ClusterNames.NameLabel]);
        }

        var container = job.Spec.Template.Spec.Containers.Single();
        Assert.AreEqual(jobId.ToString(), container.Env.Single(variable => variable.Name == KubernetesJobTemplate.JobIdVariable).Value);
        Assert.AreEqual("Job", container.Env.Single(variable => variable.Name == KubernetesJobTemplate.RoleVariable).Value);
        Assert.AreEqual("1", container.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.AreEqual((3, 86400L, 86400), (job.Spec.BackoffLimit, job.Spec.ActiveDeadlineSeconds, job.Spec.TtlSecondsAfterFinished));
        Assert.AreEqual(JobExitCodes.Unrecoverable, job.Spec.PodFailurePolicy.Rules.Single(rule => rule.Action == "FailJob").OnExitCodes.Values.Single());
        Assert.AreEqual("training-worker-checkpoints", job.Spec.Template.Spec.Volumes.Single(volume => volume.Name == "checkpoints").PersistentVolumeClaim.ClaimName);
        Assert.IsFalse(job.Spec.Template.Spec.AutomountServiceAccountToken ?? true, "a Job's pod does not talk to the API server");
        Assert.IsEmpty(template.Template.Spec.Template.Spec.Containers.Single().Env.Where(variable => variable.Name == KubernetesJobTemplate.JobIdVariable),
            "the template itself is left as it was");
    }

    [TestMethod]
    public async Task Workers_LaunchJobsWithTheirOwnServiceAccount_AllowedToCreateAndGetJobsOnly()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var worker = published.Named<V1Deployment>("training-worker-deployment").Spec.Template.Spec;
        Assert.AreEqual("training-worker-job-runner", worker.ServiceAccountName);
        Assert.IsNull(worker.AutomountServiceAccountToken);
        var container = worker.Containers.Single();
        Assert.AreEqual("/etc/novabrain/jobs/job.yaml", container.Env.Single(env => env.Name == KubernetesModelBuilder.JobTemplatePathVariable).Value);
        Assert.AreEqual("metadata.namespace", container.Env.Single(env => env.Name == KubernetesModelBuilder.JobNamespaceVariable).ValueFrom.FieldRef.FieldPath);
        var template = worker.Volumes.Single(volume => volume.ConfigMap?.Name == "training-worker-job-template");
        Assert.AreEqual("/etc/novabrain/jobs", container.VolumeMounts.Single(mount => mount.Name == template.Name).MountPath);
        var settings = published.Named<V1ConfigMap>("training-worker-config").Data;
        Assert.AreEqual(("Worker", "KubernetesJobs"), (settings["Training__Role"], settings["Training__Execution"]));
        Assert.IsFalse(container.Resources.Limits.ContainsKey("nvidia.com/gpu"), "launching a Job needs no GPU");
        Assert.AreEqual(1, published.Named<V1Deployment>("training-worker-deployment").Spec.Replicas);

        var role = published.Named<V1Role>("training-worker-job-runner");
        var rule = role.Rules.Single();
        CollectionAssert.AreEqual(new[] { "batch" }, rule.ApiGroups.ToList());
        CollectionAssert.AreEqual(new[] { "jobs" }, rule.Resources.ToList());
        CollectionAssert.AreEquivalent(new[] { "create", "get" }, rule.Verbs.ToList());
        var binding = published.Named<V1RoleBinding>("training-worker-job-runner");
        Assert.AreEqual(("Role", "training-worker-job-runner"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        Assert.AreEqual(("ServiceAccount", "training-worker-job-runner"), (binding.Subjects.Single().Kind, binding.Subjects.Single().Name));
        Assert.IsNull(binding.Subjects.Single().NamespaceProperty, "the account of the binding's own namespace, in every overlay");
        published.Named<V1ServiceAccount>("training-worker-job-runner");

        foreach (var (name, pod) in published.PodTemplates().Where(pair => pair.Key != "training-worker-deployment"))
        {
            Assert.IsFalse(pod.Spec.AutomountServiceAccountToken ?? true, $"{name} mounts an API token");
        }
    }

    [TestMethod]
    public async Task Overlays_RewriteTheJobTemplateWithTheirGpuPlacementAndImages()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var prod = (Kustomization)published.Objects.Single(o => o.File == "overlays/prod/kustomization.yaml").Object;
        var generator = prod.ConfigMapGenerator!.Single(g => g.Name == "training-worker-job-template");
        Assert.AreEqual("replace", generator.Behavior);
        CollectionAssert.AreEqual(new[] { "job.yaml=training-worker-job-template.yaml" }, generator.Files);
        Assert.IsTrue(prod.GeneratorOptions!.DisableNameSuffixHash, "the template refers to the generated inputs by their plain names");

        Assert.AreEqual("shared-files", published.Named<V1PersistentVolumeClaim>("training-worker-checkpoints").Spec.StorageClassName);
        Assert.AreEqual("fast-ssd", published.Named<V1PersistentVolumeClaim>("parameters-blobs").Spec.StorageClassName);
        Assert.AreEqual("fast-ssd", published.Named<V1StatefulSet>("postgres-statefulset").Spec.VolumeClaimTemplates.Single().Spec.StorageClassName);
        var job = (V1Job)published.Objects.Single(o => o.File == "overlays/prod/training-worker-job-template.yaml").Object;
        var pod = job.Spec.Template.Spec;
        var expressions = pod.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions;
        CollectionAssert.AreEqual(new[] { "NVIDIA-A100-SXM4-80GB" }, expressions.Single(e => e.Key == GpuScheduling.ProductLabel).Values.ToList());
        Assert.AreEqual("nvidia", pod.RuntimeClassName);
        Assert.AreEqual("registry.example.com/novabrain/training:3.0.1", pod.Containers.Single().Image, "prod keeps the base's images");

        var devImages = ((Kustomization)published.Objects.Single(o => o.File == "overlays/dev/kustomization.yaml").Object).Images!;
        Assert.AreEqual(1, devImages.Count(image => image.Name.EndsWith("novabrain/training", StringComparison.Ordinal)), "the workers run the training image");
        Assert.IsFalse(devImages.Any(image => image.Name.Contains("training-worker", StringComparison.Ordinal)));
        var dev = (V1Job)published.Objects.Single(o => o.File == "overlays/dev/training-worker-job-template.yaml").Object;
        Assert.AreEqual("registry.dev.example.com/novabrain/training:2.1.0", dev.Spec.Template.Spec.Containers.Single().Image);
        Assert.IsFalse(File.Exists(Path.Combine(published.Overlay("test"), "training-worker-job-template.yaml")), "test changes neither");
        Assert.AreEqual(
            KubernetesYaml.Serialize(published.JobTemplates().Single().Spec.PodFailurePolicy),
            KubernetesYaml.Serialize(job.Spec.PodFailurePolicy));
    }
}
