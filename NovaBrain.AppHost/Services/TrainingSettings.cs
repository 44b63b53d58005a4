using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// How training runs (<c>NovaBrain:Training</c>): <c>WorkerReplicas</c> worker processes (default 2), each running one
/// job at a time per GPU; published with <c>Execution=KubernetesJobs</c>, the workers launch every job as a Kubernetes
/// Job on a GPU node instead of training themselves.
/// </summary>
public sealed record TrainingSettings(int WorkerReplicas, TrainingExecution Execution)
{
    public const string WorkerReplicasKey = "NovaBrain:Training:WorkerReplicas";
    public const string ExecutionKey = "NovaBrain:Training:Execution";

    public static TrainingSettings From(IConfiguration configuration)
    {
        var settings = new TrainingSettings(
            configuration.GetValue(WorkerReplicasKey, 2),
            configuration.GetValue(ExecutionKey, TrainingExecution.InProcess));
        return settings.WorkerReplicas >= 1
            ? settings
            : throw new InvalidOperationException($"{WorkerReplicasKey} is at least 1; it is {settings.WorkerReplicas}.");
    }
}

/// <summary>Where published training workers run jobs; a local run always trains in the workers.</summary>
public enum TrainingExecution
{
    InProcess,
    KubernetesJobs,
}
