using NovaBrain.AppHost.Publishing;

namespace Aspire.Hosting;

public static class TrainingWorkerExtensions
{
    /// <summary>The CPU and memory of a process that trains: datasets and networks are held in memory.</summary>
    private static readonly ComputeResourcesAnnotation TrainingResources = new("2", "8Gi", "8", "32Gi");

    /// <summary>
    /// Makes the Training project a worker (<c>Training__Role=Worker</c>): <see cref="TrainingSettings.WorkerReplicas"/>
    /// replicas consuming the job queue, each serving only health and metrics. Workers wait for the API, which alone
    /// migrates the database. Published, a worker trains on a GPU of its own, or (with
    /// <see cref="TrainingExecution.KubernetesJobs"/>) launches each job as a Job that gets the GPU instead.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsTrainingWorker(
        this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ProjectResource> api, TrainingSettings settings)
    {
        worker.WithEnvironment("Training__Role", "Worker")
            .WithReplicas(settings.WorkerReplicas)
            .WithImageOf(api)
            .WaitFor(api);
        if (settings.Execution == TrainingExecution.KubernetesJobs && worker.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return worker
                .WithEnvironment("Training__Execution", "KubernetesJobs")
                .WithKubernetesJobs(TrainingResources, new Dictionary<string, string> { ["Training__Role"] = "Job" }, gpus: 1);
        }

        return worker
            .WithGpu(count: 1)
            .WithComputeResources(TrainingResources.CpuRequest, TrainingResources.MemoryRequest, TrainingResources.CpuLimit, TrainingResources.MemoryLimit);
    }
}
