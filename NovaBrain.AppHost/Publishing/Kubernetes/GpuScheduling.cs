using k8s.Models;

namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>
/// How a GPU workload reaches GPU nodes: NVIDIA's device plugin resource, GPU Feature Discovery's node labels, and the
/// <c>nvidia.com/gpu</c> taint GPU node pools carry (GKE adds it; AKS and EKS pools are given it or one of their own).
/// </summary>
public static class GpuScheduling
{
    public const string GpuResource = "nvidia.com/gpu";
    public const string PresentLabel = "nvidia.com/gpu.present";
    public const string ProductLabel = "nvidia.com/gpu.product";
    public const string NoSchedule = "NoSchedule";

    /// <summary>Nodes that have a GPU (of <paramref name="product"/> when named).</summary>
    public static V1Affinity Affinity(string? product)
    {
        var requirements = new List<V1NodeSelectorRequirement>
        {
            new() { Key = PresentLabel, OperatorProperty = "In", Values = ["true"] },
        };
        if (!string.IsNullOrWhiteSpace(product))
        {
            requirements.Add(new V1NodeSelectorRequirement { Key = ProductLabel, OperatorProperty = "In", Values = [product] });
        }

        return new V1Affinity
        {
            NodeAffinity = new V1NodeAffinity
            {
                RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector
                {
                    NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = requirements }],
                },
            },
        };
    }

    /// <summary>The GPU taint, then the cluster's own (<c>key[=value]:Effect</c>).</summary>
    public static List<V1Toleration> Tolerations(IEnumerable<string> extra) =>
    [
        new V1Toleration { Key = GpuResource, OperatorProperty = "Exists", Effect = NoSchedule },
        .. extra.Select(ParseToleration),
    ];

    public static V1Toleration ParseToleration(string text)
    {
        var effectAt = text.LastIndexOf(':');
        var effect = effectAt < 0 ? null : text[(effectAt + 1)..];
        if (effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
        {
            throw new KubernetesPublishingException(
                $"GPU toleration '{text}' is not key[=value]:Effect with Effect NoSchedule, PreferNoSchedule or NoExecute.");
        }

        var taint = text[..effectAt].Split('=', 2);
        return taint.Length == 2
            ? new V1Toleration { Key = taint[0], OperatorProperty = "Equal", Value = taint[1], Effect = effect }
            : new V1Toleration { Key = taint[0], OperatorProperty = "Exists", Effect = effect };
    }
}
