using System.Globalization;
using System.Reflection;
using k8s;
using k8s.Models;
using NovaBrain.AppHost.Infrastructure.Containers;
using NovaBrain.AppHost.Infrastructure.Prometheus;

namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>
/// Renders the app model as Kubernetes objects: each project a Deployment, each container (the backing servers) a
/// StatefulSet with claims for its volumes, each with a ClusterIP Service, a ConfigMap of plain settings and
/// references to the deployment inputs for everything that depends on a parameter.
/// </summary>
public sealed partial class KubernetesModelBuilder(
    KubernetesPublishingOptions options, DistributedApplicationExecutionContext executionContext, Func<string, string?> configuredParameter)
{
    private const string HttpEndpoint = NovaBrainServiceExtensions.HttpEndpointName;
    private const string LivenessPath = "/health/live";
    private const string SharedMemoryVolume = "dshm";
    private const string PrometheusConfigVolume = "prometheus-config";
    private static readonly TimeSpan GpuStartupPeriod = TimeSpan.FromSeconds(10);
    private readonly List<JobTemplate> jobTemplates = [];

    /// <summary>
    /// .NET images run as the non-root 'app' user (UID and GID 1654); its group owns the pod's volumes, so the
    /// service can write to its claims.
    /// </summary>
    private static V1PodSecurityContext NonRootPod => new() { RunAsNonRoot = true, FsGroup = 1654 };

    public async Task<PublishedModel> BuildAsync(DistributedApplicationModel model, CancellationToken cancellationToken)
    {
        var published = model.Resources.Where(IsPublished).ToList();
        var endpoints = new ClusterEndpoints(published);
        var resolver = new ClusterValueResolver(endpoints);
        var inputs = new List<DeploymentInput>();
        var resources = new List<PublishedResource>();
        var gpuWorkloads = new List<GpuWorkload>();
        var serviceImages = new List<ImageReference>();

        foreach (var resource in published)
        {
            var environment = await RenderEnvironmentAsync(resource, resolver, cancellationToken);
            inputs.AddRange(environment.Inputs);
            var objects = new List<IKubernetesObject>();
            if (environment.ConfigMap is { } configMap)
            {
                objects.Add(configMap);
            }

            if (resource is ProjectResource project)
            {
                var image = ProjectImage(project);
                serviceImages.Add(ImageReference.Parse(image));
                objects.AddRange(ProjectObjects(project, image, environment, endpoints));
                if (project.TryGetLastAnnotation<GpuAnnotation>(out var gpu))
                {
                    gpuWorkloads.Add(new GpuWorkload(ClusterNames.Deployment(project.Name), gpu));
                }
            }
            else
            {
                var container = (ContainerResource)resource;
                var image = ContainerImage(container);
                var args = await RenderArgumentsAsync(container, resolver, cancellationToken);
                inputs.AddRange(args.SelectMany(arg => arg.Inputs));
                objects.AddRange(ServerObjects(container, image, args, environment, endpoints, published));
            }

            if (endpoints.Of(resource) is { Count: > 0 } resourceEndpoints)
            {
                objects.Add(Service(resource, resourceEndpoints));
            }

            resources.Add(new PublishedResource(resource.Name, objects));
        }

        var distinctInputs = inputs.DistinctBy(input => input.Key).OrderBy(input => input.Key, StringComparer.Ordinal).ToList();
        var publicEndpoints = published
            .Where(resource => resource.HasAnnotationOfType<PublicEntryPointAnnotation>())
            .SelectMany(endpoints.Of)
            .ToList();
        return new PublishedModel(
            resources, InputsConfigMap(distinctInputs), InputsSecret(distinctInputs), gpuWorkloads, jobTemplates, serviceImages.Distinct().ToList(), publicEndpoints);
    }

    private static bool IsPublished(IResource resource) =>
        resource is ProjectResource or ContainerResource
        && !(resource.TryGetLastAnnotation<ManifestPublishingCallbackAnnotation>(out var manifest) && manifest.Callback is null);

    private sealed record RenderedEnvironment(V1ConfigMap? ConfigMap, List<V1EnvVar> Variables, List<DeploymentInput> Inputs);

    private async Task<RenderedEnvironment> RenderEnvironmentAsync(IResource resource, ClusterValueResolver resolver, CancellationToken cancellationToken)
    {
        var raw = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(executionContext, resource, raw, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        var plain = new Dictionary<string, string>();
        var helpers = new List<V1EnvVar>();
        var variables = new List<V1EnvVar>();
        var inputs = new List<DeploymentInput>();
        foreach (var (name, rawValue) in raw)
        {
            var value = resolver.Resolve(rawValue);
            inputs.AddRange(value.Inputs);
            if (value.IsText)
            {
                plain[name] = value.AsText();
            }
            else if (value.WholeInput is { } input)
            {
                variables.Add(FromInput(name, input));
            }
            else
            {
                // Kubernetes expands $(NAME) from variables defined earlier in the list, so the inputs come first.
                foreach (var embedded in value.Inputs)
                {
                    var variable = ClusterNames.InputVariable(embedded.Key);
                    if (helpers.All(helper => helper.Name != variable))
                    {
                        helpers.Add(FromInput(variable, embedded));
                    }
                }

                variables.Add(new V1EnvVar { Name = name, Value = value.AsExpandedText() });
            }
        }

        var configMap = plain.Count == 0 ? null : new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Metadata(ClusterNames.ConfigMap(resource.Name), resource.Name, ComponentOf(resource)),
            Data = plain,
        };
        return new RenderedEnvironment(configMap, [.. helpers, .. variables], inputs);
    }

    private async Task<List<ClusterValue>> RenderArgumentsAsync(ContainerResource container, ClusterValueResolver resolver, CancellationToken cancellationToken)
    {
        var args = new List<object>();
        var context = new CommandLineArgsCallbackContext(args, container, cancellationToken) { ExecutionContext = executionContext };
        foreach (var callback in container.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }

        return args.Select(resolver.Resolve).ToList();
    }

    private static V1EnvVar FromInput(string name, DeploymentInput input) => new()
    {
        Name = name,
        ValueFrom = input.IsSecret
            ? new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = ClusterNames.InputsSecret, Key = input.Key } }
            : new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = ClusterNames.InputsConfigMap, Key = input.Key } },
    };

    private IEnumerable<IKubernetesObject> ProjectObjects(
        ProjectResource project, string image, RenderedEnvironment environment, ClusterEndpoints endpoints)
    {
        var gpu = project.TryGetLastAnnotation<GpuAnnotation>(out var gpuAnnotation) ? gpuAnnotation : null;
        var autoscaling = project.TryGetLastAnnotation<AutoscalingAnnotation>(out var autoscalingAnnotation) ? autoscalingAnnotation : null;
        var storage = project.Annotations.OfType<PersistentStorageAnnotation>().ToList();

        var container = new V1Container
        {
            Name = project.Name,
            Image = image,
            Ports = endpoints.Of(project).Select(ContainerPort).ToList(),
            EnvFrom = EnvFrom(environment),
            Env = environment.Variables.Count == 0 ? null : [.. environment.Variables],
            Resources = Resources(ComputeOf(project), gpu),
            StartupProbe = gpu is null
                ? HttpProbe(LivenessPath, period: 5, failures: 24)
                : HttpProbe(LivenessPath, period: (int)GpuStartupPeriod.TotalSeconds, failures: (int)Math.Ceiling(gpu.ModelLoadTime / GpuStartupPeriod)),
            LivenessProbe = HttpProbe(LivenessPath, period: 10, failures: 3),
            ReadinessProbe = HttpProbe(NovaBrainServiceExtensions.ReadinessPath, period: 5, failures: 3),
            SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false },
            VolumeMounts = [],
        };
        var pod = new V1PodSpec
        {
            Containers = [container],
            ImagePullSecrets = ImagePullSecrets(),
            // Service links would add a dozen variables per Service to every container; discovery uses DNS.
            EnableServiceLinks = false,
            SecurityContext = NonRootPod,
            Volumes = [],
        };

        var objects = new List<IKubernetesObject>();
        foreach (var claim in storage)
        {
            var claimName = ClusterNames.Claim(project.Name, claim.Name);
            objects.Add(new V1PersistentVolumeClaim
            {
                ApiVersion = "v1",
                Kind = "PersistentVolumeClaim",
                Metadata = Metadata(claimName, project.Name, Components.Service),
                Spec = ClaimSpec(claim.Size),
            });
            pod.Volumes.Add(new V1Volume { Name = claim.Name, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claimName } });
            container.VolumeMounts.Add(new V1VolumeMount { Name = claim.Name, MountPath = claim.MountPath });
        }

        foreach (var scratch in project.Annotations.OfType<ScratchStorageAnnotation>())
        {
            pod.Volumes.Add(new V1Volume { Name = scratch.Name, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity(scratch.SizeLimit) } });
            container.VolumeMounts.Add(new V1VolumeMount { Name = scratch.Name, MountPath = scratch.MountPath });
        }

        if (gpu is not null)
        {
            PlaceOnGpus(pod, container, gpu);
        }

        if (project.TryGetLastAnnotation<KubernetesJobsAnnotation>(out var jobs))
        {
            objects.AddRange(JobObjects(project, image, environment, jobs, pod, container));
        }
        else
        {
            // Only a job manager talks to the API server.
            pod.AutomountServiceAccountToken = false;
        }

        DropEmptyLists(pod, container);
        var deploymentName = ClusterNames.Deployment(project.Name);
        objects.Insert(0, new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Metadata(deploymentName, project.Name, Components.Service),
            Spec = new V1DeploymentSpec
            {
                // An autoscaler owns the replica count; a value here would reset it on every apply.
                Replicas = autoscaling is null ? ReplicasOf(project) : null,
                Selector = new V1LabelSelector { MatchLabels = ClusterNames.SelectorLabels(project.Name) },
                Strategy = Strategy(gpu, storage.Count > 0),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ClusterNames.Labels(project.Name, Components.Service) },
                    Spec = pod,
                },
            },
        });

        if (autoscaling is not null)
        {
            // Replicas on different nodes where the cluster allows, so one node going down takes one replica.
            pod.TopologySpreadConstraints =
            [
                new V1TopologySpreadConstraint
                {
                    MaxSkew = 1,
                    TopologyKey = "kubernetes.io/hostname",
                    WhenUnsatisfiable = "ScheduleAnyway",
                    LabelSelector = new V1LabelSelector { MatchLabels = ClusterNames.SelectorLabels(project.Name) },
                },
            ];
            objects.Add(Autoscaler(project.Name, deploymentName, autoscaling));
            objects.Add(DisruptionBudget(project.Name));
        }

        return objects;
    }

    /// <summary>The Secret the kubelet pulls the service images with, when the registry is private.</summary>
    private List<V1LocalObjectReference>? ImagePullSecrets() =>
        options.ImagePullSecret is { } secret ? [new V1LocalObjectReference { Name = secret }] : null;

    private void PlaceOnGpus(V1PodSpec pod, V1Container container, GpuAnnotation gpu)
    {
        pod.Affinity = GpuScheduling.Affinity(gpu.Product);
        pod.Tolerations = GpuScheduling.Tolerations([]);
        pod.RuntimeClassName = options.GpuRuntimeClassName;
        pod.PriorityClassName = options.GpuPriorityClassName;
        pod.Volumes.Add(new V1Volume
        {
            Name = SharedMemoryVolume,
            EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = new ResourceQuantity(gpu.SharedMemory) },
        });
        container.VolumeMounts.Add(new V1VolumeMount { Name = SharedMemoryVolume, MountPath = "/dev/shm" });
    }

    private static void DropEmptyLists(V1PodSpec pod, V1Container container)
    {
        pod.Volumes = pod.Volumes is { Count: > 0 } ? pod.Volumes : null;
        container.VolumeMounts = container.VolumeMounts is { Count: > 0 } ? container.VolumeMounts : null;
    }

    private static V1DeploymentStrategy Strategy(GpuAnnotation? gpu, bool hasClaims) => (gpu, hasClaims) switch
    {
        // A ReadWriteOnce claim cannot be mounted by the old and the new pod at once.
        (_, true) => new V1DeploymentStrategy { Type = "Recreate" },
        // No surge: a rollout replaces a pod in place rather than waiting for a spare GPU.
        ({ }, _) => new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 1 } },
        _ => new V1DeploymentStrategy { Type = "RollingUpdate", RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 } },
    };

    private static int ReplicasOf(IResource resource) =>
        resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;

    private V2HorizontalPodAutoscaler Autoscaler(string resource, string deploymentName, AutoscalingAnnotation autoscaling)
    {
        var metrics = new List<V2MetricSpec>
        {
            new()
            {
                Type = "Resource",
                Resource = new V2ResourceMetricSource
                {
                    Name = "cpu",
                    Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = autoscaling.CpuUtilization },
                },
            },
        };
        if (options.QueueDepthTarget is { } queueDepth)
        {
            metrics.Add(new V2MetricSpec
            {
                Type = "Pods",
                Pods = new V2PodsMetricSource
                {
                    Metric = new V2MetricIdentifier { Name = options.QueueDepthMetric },
                    Target = new V2MetricTarget { Type = "AverageValue", AverageValue = new ResourceQuantity(queueDepth.ToString(CultureInfo.InvariantCulture)) },
                },
            });
        }

        return new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = Metadata(ClusterNames.Autoscaler(resource), resource, Components.Service),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deploymentName },
                MinReplicas = autoscaling.MinReplicas,
                MaxReplicas = autoscaling.MaxReplicas,
                Metrics = metrics,
                // One pod at a time both ways: each new pod may need a GPU node and minutes to load its models, and
                // removing one drops its warm models, so a short dip in load must not undo the last scale-up.
                Behavior = new V2HorizontalPodAutoscalerBehavior
                {
                    ScaleUp = new V2HPAScalingRules
                    {
                        StabilizationWindowSeconds = 60,
                        Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = 120 }],
                    },
                    ScaleDown = new V2HPAScalingRules
                    {
                        StabilizationWindowSeconds = 600,
                        Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = 300 }],
                    },
                },
            },
        };
    }

    private static V1PodDisruptionBudget DisruptionBudget(string resource) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Metadata(ClusterNames.DisruptionBudget(resource), resource, Components.Service),
        Spec = new V1PodDisruptionBudgetSpec
        {
            // Not minAvailable: with a single replica that would block every node drain.
            MaxUnavailable = 1,
            Selector = new V1LabelSelector { MatchLabels = ClusterNames.SelectorLabels(resource) },
        },
    };

    private IEnumerable<IKubernetesObject> ServerObjects(
        ContainerResource container,
        string image,
        List<ClusterValue> args,
        RenderedEnvironment environment,
        ClusterEndpoints allEndpoints,
        IReadOnlyList<IResource> published)
    {
        var endpoints = allEndpoints.Of(container);
        var objects = new List<IKubernetesObject>();
        // Arguments embed inputs as $(NAME) too, from variables of the container that come first.
        var variables = args.SelectMany(arg => arg.Inputs)
            .DistinctBy(input => input.Key)
            .Select(input => FromInput(ClusterNames.InputVariable(input.Key), input))
            .Where(helper => environment.Variables.All(variable => variable.Name != helper.Name))
            .Concat(environment.Variables)
            .ToList();
        var pod = new V1PodSpec { EnableServiceLinks = false, AutomountServiceAccountToken = false, Volumes = [] };
        var main = new V1Container
        {
            Name = container.Name,
            Image = image,
            Command = container.Entrypoint is { } entrypoint ? [entrypoint] : null,
            Args = args.Count == 0 ? null : args.Select(arg => arg.AsExpandedText()).ToList(),
            Ports = endpoints.Select(ContainerPort).ToList(),
            EnvFrom = EnvFrom(environment),
            Env = variables.Count == 0 ? null : variables,
            Resources = Resources(ComputeOf(container), gpu: null),
            VolumeMounts = [],
        };
        if (endpoints.FirstOrDefault() is { } primary)
        {
            main.StartupProbe = TcpProbe(primary.Port, period: 5, failures: 60);
            main.LivenessProbe = TcpProbe(primary.Port, period: 20, failures: 6);
            main.ReadinessProbe = TcpProbe(primary.Port, period: 5, failures: 3);
        }

        var claims = new List<V1PersistentVolumeClaim>();
        var mounts = container.Annotations.OfType<ContainerMountAnnotation>().ToList();
        foreach (var mount in mounts)
        {
            if (mount.Type == ContainerMountType.Volume)
            {
                var claimName = claims.Count == 0 ? "data" : $"data-{claims.Count + 1}";
                claims.Add(new V1PersistentVolumeClaim { Metadata = new V1ObjectMeta { Name = claimName }, Spec = ClaimSpec(options.StorageSize) });
                main.VolumeMounts.Add(new V1VolumeMount { Name = claimName, MountPath = mount.Target, ReadOnlyProperty = mount.IsReadOnly ? true : null });
            }
            else if (container is PrometheusContainerResource)
            {
                // The run's configuration folder is a bind mount; published, the same files come from a ConfigMap.
                var configMap = PrometheusConfig(container.Name, published, allEndpoints);
                objects.Add(configMap);
                pod.Volumes.Add(new V1Volume { Name = PrometheusConfigVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = configMap.Metadata.Name } });
                main.VolumeMounts.Add(new V1VolumeMount { Name = PrometheusConfigVolume, MountPath = mount.Target, ReadOnlyProperty = true });
            }
            else
            {
                throw new KubernetesPublishingException(
                    $"'{container.Name}' bind-mounts '{mount.Source}', which a cluster does not have; use a volume.");
            }
        }

        pod.Containers = [main];
        DropEmptyLists(pod, main);
        objects.Insert(0, new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Metadata(ClusterNames.StatefulSet(container.Name), container.Name, Components.BackingServer),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = ClusterNames.Service(container.Name),
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = ClusterNames.SelectorLabels(container.Name) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ClusterNames.Labels(container.Name, Components.BackingServer) },
                    Spec = pod,
                },
                VolumeClaimTemplates = claims.Count == 0 ? null : claims,
            },
        });
        return objects;
    }

    private static V1ConfigMap PrometheusConfig(string resource, IReadOnlyList<IResource> published, ClusterEndpoints endpoints)
    {
        var targets = published.OfType<ProjectResource>()
            .Where(project => project.Annotations.OfType<EndpointAnnotation>().Any(endpoint => endpoint.Name == HttpEndpoint))
            .Select(project => endpoints.Of(project, HttpEndpoint))
            .Select(http => new Dictionary<string, object>
            {
                ["targets"] = new[] { $"{http.Host}:{http.Port}" },
                ["labels"] = new Dictionary<string, string> { ["service"] = http.Resource.Name },
            });
        var configuration = new Dictionary<string, object>
        {
            ["global"] = new Dictionary<string, string> { ["scrape_interval"] = "15s" },
            ["scrape_configs"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["job_name"] = ClusterNames.Application,
                    ["metrics_path"] = ScrapeTargets.MetricsPath,
                    ["static_configs"] = targets.ToList(),
                },
            },
        };
        return new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = Metadata($"{resource}-scrape-config", resource, Components.BackingServer),
            Data = new Dictionary<string, string> { [ScrapeTargets.ConfigFileName] = KubernetesYaml.Serialize(configuration) },
        };
    }

    private V1PersistentVolumeClaimSpec ClaimSpec(string size) => new()
    {
        AccessModes = ["ReadWriteOnce"],
        StorageClassName = options.StorageClassName,
        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) } },
    };

    private static V1Service Service(IResource resource, IReadOnlyList<ClusterEndpoint> endpoints) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Metadata(ClusterNames.Service(resource.Name), resource.Name, ComponentOf(resource)),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = ClusterNames.SelectorLabels(resource.Name),
            Ports = endpoints.Select(endpoint => new V1ServicePort
            {
                Name = endpoint.Name,
                Port = endpoint.Port,
                TargetPort = endpoint.Port,
                Protocol = "TCP",
                AppProtocol = endpoint.IsHttp2Only ? "kubernetes.io/h2c" : null,
            }).ToList(),
        },
    };

    private static V1ContainerPort ContainerPort(ClusterEndpoint endpoint) =>
        new() { Name = endpoint.Name, ContainerPort = endpoint.Port, Protocol = "TCP" };

    private static List<V1EnvFromSource>? EnvFrom(RenderedEnvironment environment) => environment.ConfigMap is { } configMap
        ? [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = configMap.Metadata.Name } }]
        : null;

    private static ComputeResourcesAnnotation ComputeOf(IResource resource) =>
        resource.TryGetLastAnnotation<ComputeResourcesAnnotation>(out var annotation) ? annotation : ComputeResourcesAnnotation.Default;

    private static V1ResourceRequirements Resources(ComputeResourcesAnnotation compute, GpuAnnotation? gpu)
    {
        var limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(compute.CpuLimit), ["memory"] = new(compute.MemoryLimit) };
        if (gpu is not null)
        {
            // Extended resources are not overcommitted: the request defaults to this limit.
            limits[GpuScheduling.GpuResource] = new(gpu.Count.ToString(CultureInfo.InvariantCulture));
        }

        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(compute.CpuRequest), ["memory"] = new(compute.MemoryRequest) },
            Limits = limits,
        };
    }

    private static V1Probe HttpProbe(string path, int period, int failures) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = HttpEndpoint },
        PeriodSeconds = period,
        TimeoutSeconds = 3,
        FailureThreshold = failures,
    };

    private static V1Probe TcpProbe(int port, int period, int failures) => new()
    {
        TcpSocket = new V1TCPSocketAction { Port = port },
        PeriodSeconds = period,
        TimeoutSeconds = 3,
        FailureThreshold = failures,
    };

    private V1ConfigMap InputsConfigMap(IReadOnlyList<DeploymentInput> inputs) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Metadata(ClusterNames.InputsConfigMap, ClusterNames.Application, Components.Inputs),
        // Settings, not secrets: the configured value where there is one, else empty for the overlay to set.
        Data = inputs.Where(input => !input.IsSecret).ToDictionary(input => input.Key, input => configuredParameter(input.Key) ?? string.Empty),
    };

    private static V1Secret InputsSecret(IReadOnlyList<DeploymentInput> inputs)
    {
        var metadata = Metadata(ClusterNames.InputsSecret, ClusterNames.Application, Components.Inputs);
        metadata.Annotations = new Dictionary<string, string>
        {
            [ClusterNames.RequiredKeysAnnotation] = string.Join(',', inputs.Where(input => input.IsSecret).Select(input => input.Key)),
        };
        // No data: each overlay's secretGenerator supplies the values, so none is ever written here.
        return new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = metadata, Type = "Opaque" };
    }

    private string ProjectImage(ProjectResource project)
    {
        // A resource that runs another's image (the same project in another role) is configured under that one's name.
        var imageOf = project.TryGetLastAnnotation<SharedImageAnnotation>(out var shared) ? shared.Resource : project.Name;
        if (options.Images.TryGetValue(imageOf, out var configured))
        {
            return CheckTag(project.Name, configured);
        }

        var repository = $"{ClusterNames.Application}/{imageOf}";
        var registry = string.IsNullOrWhiteSpace(options.Registry) ? string.Empty : options.Registry.TrimEnd('/') + "/";
        return CheckTag(project.Name, $"{registry}{repository}:{options.ImageTag ?? DefaultTag()}");
    }

    private static string ContainerImage(ContainerResource container)
    {
        if (!container.TryGetLastAnnotation<ContainerImageAnnotation>(out var image))
        {
            throw new KubernetesPublishingException($"'{container.Name}' has no image.");
        }

        var name = image.Registry is { Length: > 0 } registry ? $"{registry}/{image.Image}" : image.Image;
        return image.SHA256 is { Length: > 0 } digest ? $"{name}@sha256:{digest}" : CheckTag(container.Name, $"{name}:{image.Tag}");
    }

    /// <summary>The AppHost's version without build metadata, e.g. <c>1.0.0</c>.</summary>
    private static string DefaultTag() =>
        (typeof(KubernetesModelBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "1.0.0").Split('+')[0];

    public static string CheckTag(string resource, string image)
    {
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var tagAt = lastSegment.LastIndexOf(':');
        var tag = tagAt < 0 ? null : lastSegment[(tagAt + 1)..];
        return tag is null or "" or "latest"
            ? throw new KubernetesPublishingException($"The image of '{resource}' ({image}) needs a tag other than 'latest', so a deployment says what it runs.")
            : image;
    }

    private static string ComponentOf(IResource resource) => resource is ProjectResource ? Components.Service : Components.BackingServer;

    private static V1ObjectMeta Metadata(string name, string resource, string component) =>
        new() { Name = name, Labels = ClusterNames.Labels(resource, component) };
}
