namespace NovaBrain.AppHost.Publishing;

/// <summary>How the app model becomes Kubernetes objects; bound from <c>NovaBrain:Kubernetes</c>.</summary>
public sealed class KubernetesPublishingOptions
{
    public const string SectionName = "NovaBrain:Kubernetes";

    /// <summary>The overlays written even when configuration names none.</summary>
    public static IReadOnlyList<string> StandardOverlays { get; } = ["dev", "test", "prod"];

    /// <summary>The registry (and path) the services' images are pushed to, e.g. <c>myregistry.azurecr.io</c>; none by default.</summary>
    public string? Registry { get; set; }

    /// <summary>The tag of every service image; the AppHost's version by default. Never <c>latest</c>.</summary>
    public string? ImageTag { get; set; }

    /// <summary>A docker-registry Secret (in each namespace) the service pods pull their images with; none by default.</summary>
    public string? ImagePullSecret { get; set; }

    /// <summary>Full image references that replace the default for a resource, by resource name.</summary>
    public Dictionary<string, string> Images { get; set; } = [];

    /// <summary>The size of each backing server's volume claims.</summary>
    public string StorageSize { get; set; } = "10Gi";

    /// <summary>The storage class of every claim; the cluster's default when not set.</summary>
    public string? StorageClassName { get; set; }

    /// <summary>The storage class of the claims Jobs share (training checkpoints); it must offer ReadWriteMany. <see cref="StorageClassName"/> when not set.</summary>
    public string? SharedStorageClassName { get; set; }

    /// <summary>The RuntimeClass GPU pods run with (e.g. <c>nvidia</c>) where nvidia is not containerd's default runtime.</summary>
    public string? GpuRuntimeClassName { get; set; }

    /// <summary>The PriorityClass of GPU pods, so they can preempt lesser work on scarce GPU nodes; none by default.</summary>
    public string? GpuPriorityClassName { get; set; }

    /// <summary>
    /// The queue-depth metric the autoscaled services report per pod, served to the HPA by a metrics adapter
    /// (prometheus-adapter); used only when <see cref="QueueDepthTarget"/> is set.
    /// </summary>
    public string QueueDepthMetric { get; set; } = "nv_inference_pending_request_count";

    /// <summary>Waiting requests per pod the HPA aims at; null scales on CPU only (no metrics adapter in the cluster).</summary>
    public int? QueueDepthTarget { get; set; }

    /// <summary>Per-environment settings by overlay name; <see cref="StandardOverlays"/> are written in any case.</summary>
    public Dictionary<string, OverlayOptions> Overlays { get; set; } = [];

    public IEnumerable<(string Name, OverlayOptions Options)> AllOverlays() =>
        StandardOverlays.Union(Overlays.Keys, StringComparer.Ordinal)
            .Select(name => (name, Overlays.TryGetValue(name, out var overlay) ? overlay : new OverlayOptions()));
}

/// <summary>What one environment (a namespace of one cluster) changes in the base.</summary>
public sealed class OverlayOptions
{
    /// <summary><c>novabrain-&lt;overlay&gt;</c> by default.</summary>
    public string? Namespace { get; set; }

    /// <summary>The public host name of the gateway; <c>&lt;overlay&gt;.novabrain.example.com</c> by default.</summary>
    public string? Host { get; set; }

    public string IngressClassName { get; set; } = "nginx";

    /// <summary>
    /// A host name for gRPC clients, routed to the gateway's HTTP/2 endpoint by a second Ingress (ingress-nginx's
    /// backend-protocol annotation); needs <see cref="TlsSecretName"/>, whose certificate must cover it. None by default.
    /// </summary>
    public string? GrpcHost { get; set; }

    /// <summary>The Secret holding the host's TLS certificate; plain HTTP at the ingress when not set.</summary>
    public string? TlsSecretName { get; set; }

    /// <summary>Replaces the images' registry in this environment.</summary>
    public string? Registry { get; set; }

    /// <summary>Replaces the images' tag in this environment.</summary>
    public string? ImageTag { get; set; }

    /// <summary>The GPU product the GPU workloads require here, e.g. <c>NVIDIA-A100-SXM4-80GB</c>.</summary>
    public string? GpuProduct { get; set; }

    public string? GpuRuntimeClassName { get; set; }

    /// <summary>Taints of this cluster's GPU nodes besides <c>nvidia.com/gpu</c>, as <c>key[=value]:Effect</c> (AKS: <c>sku=gpu:NoSchedule</c>).</summary>
    public List<string> GpuTolerations { get; set; } = [];
}
