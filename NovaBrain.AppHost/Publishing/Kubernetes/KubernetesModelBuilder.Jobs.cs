using System.Globalization;
using k8s;
using k8s.Models;

namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>The Job form of a job manager's work (<see cref="KubernetesJobsAnnotation"/>).</summary>
public sealed partial class KubernetesModelBuilder
{
    public const string JobTemplateFile = "job.yaml";
    public const string JobTemplatePathVariable = "KubernetesJobs__TemplatePath";
    public const string JobNamespaceVariable = "KubernetesJobs__Namespace";
    private const string JobTemplateVolume = "job-template";
    private const string CheckpointsVolume = "checkpoints";

    /// <summary>
    /// The Job template (in a ConfigMap mounted into the manager), the manager's service account with a Role to create
    /// Jobs in its namespace, and the checkpoint claim the Jobs share. The manager names each Job and tells its container
    /// which job to run; everything else comes from the template.
    /// </summary>
    private IEnumerable<IKubernetesObject> JobObjects(
        ProjectResource manager, string image, RenderedEnvironment environment, KubernetesJobsAnnotation jobs,
        V1PodSpec managerPod, V1Container managerContainer)
    {
        var runner = ClusterNames.JobRunner(manager.Name);
        var checkpoints = ClusterNames.Claim(manager.Name, CheckpointsVolume);
        var templateConfigMap = ClusterNames.JobTemplate(manager.Name);

        managerPod.ServiceAccountName = runner;
        managerPod.Volumes.Add(new V1Volume { Name = JobTemplateVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = templateConfigMap } });
        managerContainer.VolumeMounts.Add(new V1VolumeMount { Name = JobTemplateVolume, MountPath = KubernetesJobsAnnotation.TemplateFolder, ReadOnlyProperty = true });
        managerContainer.Env ??= [];
        managerContainer.Env.Add(new V1EnvVar { Name = JobTemplatePathVariable, Value = $"{KubernetesJobsAnnotation.TemplateFolder}/{JobTemplateFile}" });
        managerContainer.Env.Add(new V1EnvVar
        {
            Name = JobNamespaceVariable,
            ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } },
        });

        yield return new V1ServiceAccount { ApiVersion = "v1", Kind = "ServiceAccount", Metadata = Metadata(runner, manager.Name, Components.Service) };
        yield return new V1Role
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "Role",
            Metadata = Metadata(runner, manager.Name, Components.Service),
            // What launching a Job needs and no more: Kubernetes, not the manager, retries, times out and removes Jobs.
            Rules = [new V1PolicyRule { ApiGroups = ["batch"], Resources = ["jobs"], Verbs = ["create", "get"] }],
        };
        yield return new V1RoleBinding
        {
            ApiVersion = "rbac.authorization.k8s.io/v1",
            Kind = "RoleBinding",
            Metadata = Metadata(runner, manager.Name, Components.Service),
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = runner },
            // No namespace: a RoleBinding's service account is then the one in its own namespace, whichever the overlay sets.
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = runner }],
        };
        yield return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = Metadata(checkpoints, manager.Name, Components.Job),
            Spec = new V1PersistentVolumeClaimSpec
            {
                // Jobs on different nodes resume from the same checkpoints.
                AccessModes = ["ReadWriteMany"],
                StorageClassName = options.SharedStorageClassName ?? options.StorageClassName,
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(jobs.CheckpointSize) } },
            },
        };
        var template = JobTemplate(manager, image, environment, jobs, checkpoints);
        jobTemplates.Add(new JobTemplate(templateConfigMap, template, jobs.Gpu));
        yield return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Metadata(templateConfigMap, manager.Name, Components.Job),
            Data = new Dictionary<string, string> { [JobTemplateFile] = KubernetesYaml.Serialize(template) },
        };
    }

    private V1Job JobTemplate(
        ProjectResource manager, string image, RenderedEnvironment environment, KubernetesJobsAnnotation jobs, string checkpointClaim)
    {
        var name = ClusterNames.Job(manager.Name);
        var container = new V1Container
        {
            Name = name,
            Image = image,
            EnvFrom = EnvFrom(environment),
            // After the manager's own variables, so that the Job's settings win over its ConfigMap's.
            Env = [.. environment.Variables, .. jobs.Environment.Select(setting => new V1EnvVar { Name = setting.Key, Value = setting.Value })],
            Resources = Resources(jobs.Resources, jobs.Gpu),
            SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false },
            VolumeMounts = [new V1VolumeMount { Name = CheckpointsVolume, MountPath = KubernetesJobsAnnotation.CheckpointPath }],
        };
        var pod = new V1PodSpec
        {
            Containers = [container],
            ImagePullSecrets = ImagePullSecrets(),
            // A pod failure policy needs Never: the Job, not the kubelet, decides about retries.
            RestartPolicy = "Never",
            EnableServiceLinks = false,
            AutomountServiceAccountToken = false,
            SecurityContext = NonRootPod,
            Volumes = [new V1Volume { Name = CheckpointsVolume, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = checkpointClaim } }],
        };
        if (jobs.Gpu is { } gpu)
        {
            PlaceOnGpus(pod, container, gpu);
        }

        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Metadata(name, name, Components.Job),
            Spec = new V1JobSpec
            {
                Completions = 1,
                Parallelism = 1,
                BackoffLimit = jobs.BackoffLimit,
                ActiveDeadlineSeconds = (long)jobs.Deadline.TotalSeconds,
                TtlSecondsAfterFinished = (int)jobs.TimeToLive.TotalSeconds,
                PodFailurePolicy = new V1PodFailurePolicy
                {
                    Rules =
                    [
                        // A pod evicted by a drain or preemption is retried without counting against the backoff limit.
                        new V1PodFailurePolicyRule
                        {
                            Action = "Ignore",
                            OnPodConditions = [new V1PodFailurePolicyOnPodConditionsPattern { Type = "DisruptionTarget", Status = "True" }],
                        },
                        new V1PodFailurePolicyRule
                        {
                            Action = "FailJob",
                            OnExitCodes = new V1PodFailurePolicyOnExitCodesRequirement
                            {
                                ContainerName = name,
                                OperatorProperty = "In",
                                Values = [KubernetesJobsAnnotation.UnrecoverableExitCode],
                            },
                        },
                    ],
                },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = ClusterNames.Labels(name, Components.Job) }, Spec = pod },
            },
        };
    }
}
