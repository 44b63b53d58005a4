using k8s;
using k8s.Models;

namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>The objects of one published resource, written together to <c>base/&lt;resource&gt;.yaml</c>.</summary>
public sealed record PublishedResource(string Name, IReadOnlyList<IKubernetesObject> Objects);

/// <summary>A GPU workload, which overlays can pin to a product, give more tolerations and a runtime class.</summary>
public sealed record GpuWorkload(string DeploymentName, GpuAnnotation Gpu);

/// <summary>A Job template kept in a ConfigMap, where kustomize cannot patch it: overlays rewrite it whole.</summary>
public sealed record JobTemplate(string ConfigMapName, V1Job Job, GpuAnnotation? Gpu);

/// <summary>Everything the kustomize base holds, and what overlays need to know about it.</summary>
public sealed record PublishedModel(
    IReadOnlyList<PublishedResource> Resources,
    V1ConfigMap Inputs,
    V1Secret Secrets,
    IReadOnlyList<GpuWorkload> GpuWorkloads,
    IReadOnlyList<JobTemplate> JobTemplates,
    IReadOnlyList<ImageReference> ServiceImages,
    IReadOnlyList<ClusterEndpoint> PublicEndpoints)
;
