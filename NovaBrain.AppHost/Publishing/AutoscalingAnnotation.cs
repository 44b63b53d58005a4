namespace NovaBrain.AppHost.Publishing;

/// <summary>
/// Published, the resource's replicas are owned by a HorizontalPodAutoscaler between <see cref="MinReplicas"/> and
/// <see cref="MaxReplicas"/> (at most the GPUs the cluster has for it), and a PodDisruptionBudget keeps drains to one
/// replica at a time.
/// </summary>
public sealed record AutoscalingAnnotation(int MinReplicas, int MaxReplicas, int CpuUtilization) : IResourceAnnotation;
