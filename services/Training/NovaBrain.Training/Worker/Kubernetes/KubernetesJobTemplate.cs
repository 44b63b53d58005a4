using System.Globalization;
using k8s;
using k8s.Models;

namespace NovaBrain.Training.Worker.Kubernetes;

/// <summary>
/// The <c>batch/v1</c> Job template the publish step writes for the worker (mounted from a ConfigMap): the image, the
/// environment, resources, GPU placement, backoff limit, pod failure policy, deadline, TTL and checkpoint volume. A
/// job's Job is the template with a name, labels and the job to run.
/// </summary>
public sealed class KubernetesJobTemplate(V1Job template)
{
    public const string JobIdLabel = "novabrain.io/training-job";
    public const string AttemptLabel = "novabrain.io/attempt";
    public const string JobIdVariable = "Training__JobId";
    public const string RoleVariable = "Training__Role";

    public V1Job Template { get; } = template;

    /// <summary>Loads the template strictly: a field the client does not know is an error, not a silently dropped setting.</summary>
    public static KubernetesJobTemplate Load(string path) => new(KubernetesYaml.Deserialize<V1Job>(File.ReadAllText(path), strict: true));

    /// <summary>
    /// The Job of one attempt of a job. Its name is derived from the job and the attempt, so a message delivered twice
    /// creates the Job once; at most 63 characters (the template's name, 32 hex digits and the attempt), as the Job's
    /// name becomes a label of its pods.
    /// </summary>
    public V1Job For(Guid jobId, int attempt)
    {
        var job = KubernetesYaml.Deserialize<V1Job>(KubernetesYaml.Serialize(Template), strict: true);
        var attemptText = attempt.ToString(CultureInfo.InvariantCulture);
        job.Metadata.Name = $"{Template.Metadata.Name}-{jobId:N}-{attemptText}";
        foreach (var metadata in new[] { job.Metadata, job.Spec.Template.Metadata ??= new V1ObjectMeta() })
        {
            metadata.Labels ??= new Dictionary<string, string>();
            metadata.Labels[JobIdLabel] = jobId.ToString();
            metadata.Labels[AttemptLabel] = attemptText;
        }

        var container = job.Spec.Template.Spec.Containers.Single();
        container.Env = [.. (container.Env ?? []).Where(variable => variable.Name is not (JobIdVariable or RoleVariable)),
            new V1EnvVar { Name = RoleVariable, Value = "Job" },
            new V1EnvVar { Name = JobIdVariable, Value = jobId.ToString() }];
        return job;
    }
}
