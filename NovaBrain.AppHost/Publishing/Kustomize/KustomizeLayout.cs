using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using NovaBrain.AppHost.Identity;
using NovaBrain.AppHost.Publishing.Kubernetes;

namespace NovaBrain.AppHost.Publishing.Kustomize;

/// <summary>
/// Writes the published model as a kustomize base (<c>base/</c>, one file per resource) and one overlay per
/// environment (<c>overlays/&lt;name&gt;/</c>): its namespace, the ingress and network policy, its inputs and GPU placement.
/// </summary>
public static partial class KustomizeLayout
{
    public const string BaseFolder = "base";
    public const string OverlaysFolder = "overlays";
    public const string InputsFile = "inputs.yaml";
    public const string NamespaceFile = "namespace.yaml";
    public const string NetworkPolicyFile = "network-policy.yaml";
    public const string IngressFile = "ingress.yaml";
    public const string GpuPlacementFile = "gpu-placement.yaml";
    public const string SecretsFile = "secrets.env";
    public const string SecretsExampleFile = "secrets.env.example";

    /// <summary>ingress-nginx's way of saying that the backend speaks gRPC (HTTP/2).</summary>
    public const string GrpcBackendAnnotation = "nginx.ingress.kubernetes.io/backend-protocol";

    /// <summary>Replaces <paramref name="folder"/> with the base and the overlays.</summary>
    public static void Write(string folder, PublishedModel model, KubernetesPublishingOptions options)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        WriteBase(Path.Combine(folder, BaseFolder), model);
        foreach (var (name, overlay) in options.AllOverlays())
        {
            WriteOverlay(Path.Combine(folder, OverlaysFolder, name), name, overlay, model, options);
        }
    }

    private static void WriteBase(string folder, PublishedModel model)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string> { InputsFile };
        WriteObjects(Path.Combine(folder, InputsFile), [model.Inputs, model.Secrets]);
        foreach (var resource in model.Resources)
        {
            var file = $"{resource.Name}.yaml";
            WriteObjects(Path.Combine(folder, file), resource.Objects);
            files.Add(file);
        }

        Write(Path.Combine(folder, Kustomization.FileName), new Kustomization { Resources = files });
    }

    private static void WriteOverlay(string folder, string name, OverlayOptions overlay, PublishedModel model, KubernetesPublishingOptions options)
    {
        Directory.CreateDirectory(folder);
        var ns = overlay.Namespace ?? $"{ClusterNames.Application}-{name}";
        if (ns.Length > 63 || !DnsLabel().IsMatch(ns))
        {
            throw new KubernetesPublishingException($"Overlay '{name}' would deploy to namespace '{ns}', which is not a DNS label (a-z, 0-9, '-', at most 63).");
        }

        var host = overlay.Host ?? $"{name}.{ClusterNames.Application}.example.com";
        var resources = new List<string> { $"../../{BaseFolder}", NamespaceFile, NetworkPolicyFile };

        WriteObjects(Path.Combine(folder, NamespaceFile), [Namespace(ns)]);
        WriteObjects(Path.Combine(folder, NetworkPolicyFile), NetworkPolicies(model.PublicEndpoints));
        var ingresses = new List<IKubernetesObject>();
        if (model.PublicEndpoints.FirstOrDefault(endpoint => !endpoint.IsHttp2Only) is { } entry)
        {
            ingresses.Add(Ingress($"{entry.Resource.Name}-ingress", entry, host, overlay, annotations: null));
        }

        if (overlay.GrpcHost is { } grpcHost && model.PublicEndpoints.FirstOrDefault(endpoint => endpoint.IsHttp2Only) is { } grpc)
        {
            // Clients speak HTTP/2 to an ingress only over TLS.
            _ = overlay.TlsSecretName ?? throw new KubernetesPublishingException(
                $"Overlay '{name}' sets GrpcHost without TlsSecretName; gRPC through an ingress needs TLS.");
            ingresses.Add(Ingress($"{grpc.Resource.Name}-grpc-ingress", grpc, grpcHost, overlay, new Dictionary<string, string> { [GrpcBackendAnnotation] = "GRPC" }));
        }

        if (ingresses.Count > 0)
        {
            WriteObjects(Path.Combine(folder, IngressFile), ingresses);
            resources.Add(IngressFile);
        }

        var patches = new List<KustomizePatch>();
        var placement = GpuPlacementPatches(model.GpuWorkloads, overlay, options).ToList();
        if (placement.Count > 0)
        {
            WriteObjects(Path.Combine(folder, GpuPlacementFile), placement);
            patches.Add(new KustomizePatch { Path = GpuPlacementFile });
        }

        var secretKeys = model.Secrets.Metadata.Annotations[ClusterNames.RequiredKeysAnnotation].Split(',', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllLines(Path.Combine(folder, SecretsExampleFile),
        [
            $"# Copy to {SecretsFile} (never committed) and give every key a value; kustomize refuses to build without it.",
            "# Passwords must be URI-safe (letters, digits, -._~): some are embedded in connection URIs.",
            .. secretKeys.Select(key => $"{key}="),
        ]);
        File.WriteAllLines(Path.Combine(folder, ".gitignore"), [SecretsFile]);

        var scheme = overlay.TlsSecretName is null ? "http" : "https";
        var inputs = model.Inputs.Data.Keys
            .Where(key => key == PlatformIdentity.IssuerParameter)
            .Select(key => $"{key}={scheme}://{host}/")
            .ToList();
        var configMaps = new List<KustomizeGenerator>();
        if (inputs.Count > 0)
        {
            configMaps.Add(new KustomizeGenerator { Name = ClusterNames.InputsConfigMap, Behavior = "merge", Literals = inputs });
        }

        var images = Images(name, model, overlay);
        foreach (var template in model.JobTemplates)
        {
            if (OverlaidJob(template, overlay, options, images) is { } job)
            {
                var file = $"{template.ConfigMapName}.yaml";
                WriteObjects(Path.Combine(folder, file), [job]);
                configMaps.Add(new KustomizeGenerator { Name = template.ConfigMapName, Behavior = "replace", Files = [$"{KubernetesModelBuilder.JobTemplateFile}={file}"] });
            }
        }

        Write(Path.Combine(folder, Kustomization.FileName), new Kustomization
        {
            Namespace = ns,
            Resources = resources,
            ConfigMapGenerator = configMaps.Count == 0 ? null : configMaps,
            SecretGenerator = [new KustomizeGenerator { Name = ClusterNames.InputsSecret, Behavior = "replace", Envs = [SecretsFile] }],
            GeneratorOptions = new KustomizeGeneratorOptions { DisableNameSuffixHash = true },
            Images = images,
            Patches = patches.Count == 0 ? null : patches,
        });
    }

    /// <summary>The Job template with this overlay's GPU placement and images, or null where the overlay changes neither.</summary>
    private static V1Job? OverlaidJob(JobTemplate template, OverlayOptions overlay, KubernetesPublishingOptions options, List<KustomizeImage>? images)
    {
        var container = template.Job.Spec.Template.Spec.Containers.Single();
        var image = images?.FirstOrDefault(candidate => container.Image.StartsWith(candidate.Name + ":", StringComparison.Ordinal));
        var placeOnGpus = template.Gpu is not null && ChangesGpuPlacement(overlay);
        if (image is null && !placeOnGpus)
        {
            return null;
        }

        var job = KubernetesYaml.Deserialize<V1Job>(KubernetesYaml.Serialize(template.Job), strict: true);
        if (image is not null)
        {
            job.Spec.Template.Spec.Containers.Single().Image = $"{image.NewName ?? image.Name}:{image.NewTag ?? container.Image[(image.Name.Length + 1)..]}";
        }

        if (placeOnGpus)
        {
            PlaceOnGpus(job.Spec.Template.Spec, overlay, template.Gpu!, options);
        }

        return job;
    }

    private static bool ChangesGpuPlacement(OverlayOptions overlay) =>
        overlay.GpuProduct is not null || overlay.GpuRuntimeClassName is not null || overlay.GpuTolerations.Count > 0;

    private static void PlaceOnGpus(V1PodSpec pod, OverlayOptions overlay, GpuAnnotation gpu, KubernetesPublishingOptions options)
    {
        pod.Affinity = GpuScheduling.Affinity(overlay.GpuProduct ?? gpu.Product);
        pod.Tolerations = GpuScheduling.Tolerations(overlay.GpuTolerations);
        pod.RuntimeClassName = overlay.GpuRuntimeClassName ?? options.GpuRuntimeClassName;
    }

    /// <summary>The service images with this overlay's registry and tag; the backing servers keep their pinned images.</summary>
    private static List<KustomizeImage>? Images(string name, PublishedModel model, OverlayOptions overlay)
    {
        if (overlay.Registry is null && overlay.ImageTag is null)
        {
            return null;
        }

        if (overlay.ImageTag is "" or "latest")
        {
            throw new KubernetesPublishingException($"Overlay '{name}' sets the image tag '{overlay.ImageTag}'; give a tag other than 'latest'.");
        }

        return model.ServiceImages
            .Select(image => new KustomizeImage
            {
                Name = image.Name,
                NewName = overlay.Registry is { } registry ? $"{registry.TrimEnd('/')}/{image.Repository}" : null,
                NewTag = overlay.ImageTag,
            })
            .ToList();
    }

    private static IEnumerable<IKubernetesObject> GpuPlacementPatches(IReadOnlyList<GpuWorkload> workloads, OverlayOptions overlay, KubernetesPublishingOptions options)
    {
        if (!ChangesGpuPlacement(overlay))
        {
            yield break;
        }

        foreach (var workload in workloads)
        {
            // Lists in a strategic-merge patch replace the base's, so each patch carries the whole affinity and tolerations.
            var pod = new V1PodSpec();
            PlaceOnGpus(pod, overlay, workload.Gpu, options);
            yield return new V1Deployment
            {
                ApiVersion = "apps/v1",
                Kind = "Deployment",
                Metadata = new V1ObjectMeta { Name = workload.DeploymentName },
                Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = pod } },
            };
        }
    }

    private static V1Namespace Namespace(string name) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [ClusterNames.PartOfLabel] = ClusterNames.Application } },
    };

    /// <summary>Pods accept traffic from their own namespace, and the public entry points from anywhere on their ports.</summary>
    private static IEnumerable<IKubernetesObject> NetworkPolicies(IReadOnlyList<ClusterEndpoint> publicEndpoints)
    {
        yield return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = new V1ObjectMeta { Name = "allow-same-namespace", Labels = ClusterNames.Labels(ClusterNames.Application, Components.Network) },
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = new V1LabelSelector(),
                PolicyTypes = ["Ingress"],
                Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector() }] }],
            },
        };

        foreach (var entry in publicEndpoints.GroupBy(endpoint => endpoint.Resource.Name))
        {
            yield return new V1NetworkPolicy
            {
                ApiVersion = "networking.k8s.io/v1",
                Kind = "NetworkPolicy",
                Metadata = new V1ObjectMeta { Name = $"allow-public-{entry.Key}", Labels = ClusterNames.Labels(entry.Key, Components.Network) },
                Spec = new V1NetworkPolicySpec
                {
                    PodSelector = new V1LabelSelector { MatchLabels = ClusterNames.SelectorLabels(entry.Key) },
                    PolicyTypes = ["Ingress"],
                    Ingress = [new V1NetworkPolicyIngressRule { Ports = entry.Select(endpoint => new V1NetworkPolicyPort { Port = endpoint.Port, Protocol = "TCP" }).ToList() }],
                },
            };
        }
    }

    private static V1Ingress Ingress(string name, ClusterEndpoint entry, string host, OverlayOptions overlay, Dictionary<string, string>? annotations) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "Ingress",
        Metadata = new V1ObjectMeta { Name = name, Labels = ClusterNames.Labels(entry.Resource.Name, Components.Network), Annotations = annotations },
        Spec = new V1IngressSpec
        {
            IngressClassName = overlay.IngressClassName,
            Tls = overlay.TlsSecretName is { } secret ? [new V1IngressTLS { Hosts = [host], SecretName = secret }] : null,
            Rules =
            [
                new V1IngressRule
                {
                    Host = host,
                    Http = new V1HTTPIngressRuleValue
                    {
                        Paths =
                        [
                            new V1HTTPIngressPath
                            {
                                Path = "/",
                                PathType = "Prefix",
                                Backend = new V1IngressBackend
                                {
                                    Service = new V1IngressServiceBackend { Name = entry.Host, Port = new V1ServiceBackendPort { Name = entry.Name } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };

    private static void WriteObjects(string path, IEnumerable<IKubernetesObject> objects) =>
        WriteText(path, KubernetesYaml.SerializeAll(objects.Cast<object>()));

    private static void Write(string path, object value) => WriteText(path, KubernetesYaml.Serialize(value));

    private static void WriteText(string path, string yaml) => File.WriteAllText(path, yaml.EndsWith('\n') ? yaml : yaml + "\n");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
