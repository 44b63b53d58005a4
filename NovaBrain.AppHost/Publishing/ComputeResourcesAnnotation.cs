namespace NovaBrain.AppHost.Publishing;

/// <summary>CPU and memory a published resource requests and may use, in Kubernetes quantities.</summary>
public sealed record ComputeResourcesAnnotation(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit) : IResourceAnnotation
{
    /// <summary>What a resource gets when the AppHost says nothing.</summary>
    public static ComputeResourcesAnnotation Default { get; } = new("250m", "256Mi", "1", "512Mi");
}
