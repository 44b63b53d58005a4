using System.Text.RegularExpressions;
using k8s.Models;
using NovaBrain.AppHost.Infrastructure;

namespace NovaBrain.Tests.Publishing;

[TestClass]
public sealed partial class KubernetesPublishingTests
{
    private static readonly string[] Services =
        ["auth", "parameters", "model-registry", "model-serving", "data-processing", "training", "training-worker", "monitoring", "logging", "gateway"];

    private static readonly string[] BackingServers =
        [ConnectionNames.Postgres, ConnectionNames.Redis, ConnectionNames.EventBus, ConnectionNames.Mongo, ConnectionNames.Prometheus];

    [TestMethod]
    public async Task Publish_RendersEveryServiceAsDeploymentServiceAndConfigMap()
    {
        var published = await PublishedManifests.DefaultAsync();

        CollectionAssert.AreEquivalent(
            Services.Select(name => $"{name}-deployment").ToList(), published.InBase<V1Deployment>().Select(d => d.Metadata.Name).ToList());
        foreach (var name in Services)
        {
            var service = published.Named<V1Service>($"{name}-service");
            Assert.AreEqual("ClusterIP", service.Spec.Type);
            Assert.AreEqual(8080, service.Spec.Ports.Single(port => port.Name == "http").Port, name);
            var container = published.Named<V1Deployment>($"{name}-deployment").Spec.Template.Spec.Containers.Single();
            Assert.AreEqual($"{name}-config", container.EnvFrom.Single().ConfigMapRef.Name);
            published.Named<V1ConfigMap>($"{name}-config");
        }

        // The HTTP/2-only gRPC endpoints are Service ports of their own, marked h2c for proxies in front of them.
        foreach (var name in new[] { "parameters", "model-serving", "gateway" })
        {
            var grpc = published.Named<V1Service>($"{name}-service").Spec.Ports.Single(port => port.Name == "grpc");
            Assert.AreEqual(8081, grpc.Port, name);
            Assert.AreEqual("kubernetes.io/h2c", grpc.AppProtocol, name);
        }
    }

    [TestMethod]
    public async Task Publish_UpdatesServicesRollingWithoutDowntimeAndRecreatesThoseWithAClaim()
    {
        var published = await PublishedManifests.DefaultAsync();

        foreach (var name in Services.Except(["model-serving", "training-worker", "parameters"]))
        {
            var strategy = published.Named<V1Deployment>($"{name}-deployment").Spec.Strategy;
            Assert.AreEqual("RollingUpdate", strategy.Type, name);
            Assert.AreEqual("0", strategy.RollingUpdate.MaxUnavailable.Value, name);
            Assert.AreEqual("1", strategy.RollingUpdate.MaxSurge.Value, name);
        }

        // The parameter service keeps its blobs on a ReadWriteOnce claim, which two pods cannot share.
        var parameters = published.Named<V1Deployment>("parameters-deployment");
        Assert.AreEqual("Recreate", parameters.Spec.Strategy.Type);
        var blobs = parameters.Spec.Template.Spec.Volumes.Single(volume => volume.Name == "blobs");
        Assert.AreEqual("parameters-blobs", blobs.PersistentVolumeClaim.ClaimName);
        Assert.AreEqual("/app/data/blobs", parameters.Spec.Template.Spec.Containers.Single().VolumeMounts.Single(mount => mount.Name == "blobs").MountPath);
        Assert.AreEqual(1654, parameters.Spec.Template.Spec.SecurityContext.FsGroup, "the non-root service user's group owns the claim");
        Assert.IsTrue(parameters.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        var claim = published.Named<V1PersistentVolumeClaim>("parameters-blobs");
        Assert.AreEqual("100Gi", claim.Spec.Resources.Requests["storage"].ToString());
    }

    [TestMethod]
    public async Task Publish_RendersBackingServersAsStatefulSetsWithClaimsForTheirVolumes()
    {
        var published = await PublishedManifests.DefaultAsync();

        CollectionAssert.AreEquivalent(
            BackingServers.Select(name => $"{name}-statefulset").ToList(), published.InBase<V1StatefulSet>().Select(s => s.Metadata.Name).ToList());
        foreach (var name in BackingServers)
        {
            var set = published.Named<V1StatefulSet>($"{name}-statefulset");
            Assert.AreEqual($"{name}-service", set.Spec.ServiceName);
            published.Named<V1Service>($"{name}-service");
            var container = set.Spec.Template.Spec.Containers.Single();
            var port = container.Ports.First().ContainerPort;
            Assert.AreEqual(port.ToString(), container.ReadinessProbe.TcpSocket.Port.Value, name);
            var claim = set.Spec.VolumeClaimTemplates.Single();
            CollectionAssert.AreEqual(new[] { "ReadWriteOnce" }, claim.Spec.AccessModes.ToList());
            Assert.AreEqual("10Gi", claim.Spec.Resources.Requests["storage"].ToString());
            Assert.IsTrue(container.VolumeMounts.Any(mount => mount.Name == claim.Metadata.Name), name);
        }

        var postgres = published.Named<V1StatefulSet>("postgres-statefulset").Spec.Template.Spec.Containers.Single();
        Assert.AreEqual("/var/lib/postgresql", postgres.VolumeMounts.Single().MountPath);
        Assert.AreEqual("postgres-password", postgres.Env.Single(env => env.Name == "POSTGRES_PASSWORD").ValueFrom.SecretKeyRef.Key);
    }

    [TestMethod]
    public async Task Publish_RabbitMqLetsTrainingWorkersHoldAJobForDays()
    {
        var published = await PublishedManifests.DefaultAsync();

        // A worker acknowledges its job's message only when the job is over; RabbitMQ's default would take it back after 30 minutes.
        var arguments = published.Named<V1ConfigMap>("eventbus-config").Data["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"].Split(' ');
        var timeout = arguments[Array.IndexOf(arguments, "consumer_timeout") + 1];
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromDays(1).TotalMilliseconds, double.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Publish_PrometheusScrapesEveryServiceThroughItsService()
    {
        var published = await PublishedManifests.DefaultAsync();

        var config = published.Named<V1ConfigMap>("prometheus-scrape-config").Data["prometheus.yml"];
        foreach (var name in Services)
        {
            StringAssert.Contains(config, $"- {name}-service:8080");
        }

        var prometheus = published.Named<V1StatefulSet>("prometheus-statefulset").Spec.Template.Spec;
        Assert.AreEqual("prometheus-scrape-config", prometheus.Volumes.Single().ConfigMap.Name);
        CollectionAssert.Contains(prometheus.Containers.Single().Args.ToList(), "--config.file=/etc/novabrain/prometheus.yml");
    }

    [TestMethod]
    public async Task External_PublishesNoServersAndTakesConnectionStringsFromTheSecret()
    {
        var published = await PublishedManifests.ExternalAsync();

        Assert.IsEmpty(published.InBase<V1StatefulSet>());
        foreach (var name in BackingServers)
        {
            Assert.IsFalse(published.InBase<V1Service>().Any(service => service.Metadata.Name == $"{name}-service"), name);
        }

        var env = published.Named<V1Deployment>("auth-deployment").Spec.Template.Spec.Containers.Single().Env;
        var database = env.Single(variable => variable.Name == "ConnectionStrings__authdb").ValueFrom.SecretKeyRef;
        Assert.AreEqual(("novabrain-secrets", "authdb"), (database.Name, database.Key));
        AssertNoFileContains(published, PublishSettings.ExternalDatabasePassword);
    }

    [TestMethod]
    public async Task Deployments_ProbeStartupLivenessAndReadinessAndLimitResources()
    {
        var published = await PublishedManifests.DefaultAsync();

        foreach (var deployment in published.InBase<V1Deployment>())
        {
            var container = deployment.Spec.Template.Spec.Containers.Single();
            var name = deployment.Metadata.Name;
            Assert.AreEqual("/health/live", container.StartupProbe.HttpGet.Path, name);
            Assert.AreEqual("/health/live", container.LivenessProbe.HttpGet.Path, name);
            Assert.AreEqual("/health/ready", container.ReadinessProbe.HttpGet.Path, name);
            Assert.AreEqual("http", container.ReadinessProbe.HttpGet.Port.Value, name);
            Assert.IsTrue(container.Ports.Any(port => port.Name == "http"), name);
            Assert.IsFalse(deployment.Spec.Template.Spec.EnableServiceLinks ?? true, name);
        }

        foreach (var (name, template) in published.PodTemplates())
        {
            var resources = template.Spec.Containers.Single().Resources;
            foreach (var quantity in new[] { "cpu", "memory" })
            {
                Assert.IsTrue(resources.Requests.ContainsKey(quantity), $"{name} requests no {quantity}");
                Assert.IsTrue(resources.Limits.ContainsKey(quantity), $"{name} limits no {quantity}");
                Assert.IsLessThanOrEqualTo(resources.Limits[quantity].ToDecimal(), resources.Requests[quantity].ToDecimal(), $"{name} {quantity}");
            }
        }

        var serving = published.Named<V1Deployment>("model-serving-deployment").Spec.Template.Spec.Containers.Single().Resources;
        Assert.AreEqual("8Gi", serving.Requests["memory"].ToString());
        Assert.AreEqual("16Gi", serving.Limits["memory"].ToString());
    }

    [TestMethod]
    public async Task Selectors_AreSubsetsOfTheTemplateLabelsAndFindTheirPods()
    {
        var published = await PublishedManifests.DefaultAsync();
        var templates = published.PodTemplates();

        foreach (var deployment in published.InBase<V1Deployment>())
        {
            AssertSubset(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels, deployment.Metadata.Name);
        }

        foreach (var set in published.InBase<V1StatefulSet>())
        {
            AssertSubset(set.Spec.Selector.MatchLabels, set.Spec.Template.Metadata.Labels, set.Metadata.Name);
        }

        foreach (var service in published.InBase<V1Service>())
        {
            var matches = templates.Values.Count(template => IsSubset(service.Spec.Selector, template.Metadata.Labels));
            Assert.AreEqual(1, matches, $"{service.Metadata.Name} selects {matches} workloads");
        }

        foreach (var budget in published.InBase<V1PodDisruptionBudget>())
        {
            Assert.AreEqual(1, templates.Values.Count(template => IsSubset(budget.Spec.Selector.MatchLabels, template.Metadata.Labels)));
        }

        foreach (var (name, template) in templates)
        {
            Assert.AreEqual("novabrain", template.Metadata.Labels["app.kubernetes.io/part-of"], name);
            Assert.IsTrue(template.Metadata.Labels.ContainsKey("app.kubernetes.io/name"), name);
            Assert.IsTrue(template.Metadata.Labels.ContainsKey("app.kubernetes.io/component"), name);
        }
    }

    [TestMethod]
    public async Task Serving_IsScaledByAnAutoscalerThatOwnsItsReplicas()
    {
        var published = await PublishedManifests.DefaultAsync();

        var autoscaler = published.InBase<V2HorizontalPodAutoscaler>().Single();
        Assert.AreEqual(("apps/v1", "Deployment", "model-serving-deployment"),
            (autoscaler.Spec.ScaleTargetRef.ApiVersion, autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        Assert.IsNull(published.Named<V1Deployment>("model-serving-deployment").Spec.Replicas);
        Assert.IsGreaterThanOrEqualTo(1, autoscaler.Spec.MinReplicas ?? 0);
        Assert.IsGreaterThanOrEqualTo(autoscaler.Spec.MinReplicas ?? 0, autoscaler.Spec.MaxReplicas);
        var cpu = autoscaler.Spec.Metrics.Single();
        Assert.AreEqual(("cpu", "Utilization"), (cpu.Resource.Name, cpu.Resource.Target.Type));
        Assert.IsGreaterThanOrEqualTo(300, autoscaler.Spec.Behavior.ScaleDown.StabilizationWindowSeconds ?? 0);
        Assert.AreEqual(1, autoscaler.Spec.Behavior.ScaleUp.Policies.Single().Value);

        var spread = published.Named<V1Deployment>("model-serving-deployment").Spec.Template.Spec.TopologySpreadConstraints.Single();
        Assert.AreEqual(("kubernetes.io/hostname", "ScheduleAnyway", 1), (spread.TopologyKey, spread.WhenUnsatisfiable, spread.MaxSkew));
        CollectionAssert.AreEquivalent(published.Named<V1Deployment>("model-serving-deployment").Spec.Selector.MatchLabels.ToList(), spread.LabelSelector.MatchLabels.ToList());

        var budget = published.InBase<V1PodDisruptionBudget>().Single();
        Assert.AreEqual("model-serving-pdb", budget.Metadata.Name);
        Assert.AreEqual("1", budget.Spec.MaxUnavailable.Value);

        foreach (var deployment in published.InBase<V1Deployment>().Where(d => d.Metadata.Name is not ("model-serving-deployment" or "training-worker-deployment")))
        {
            Assert.AreEqual(1, deployment.Spec.Replicas, deployment.Metadata.Name);
        }
    }

    [TestMethod]
    public async Task Serving_ScalesOnQueueDepthWhereAMetricsAdapterServesIt()
    {
        var published = await PublishedManifests.ConfiguredAsync();

        var queue = published.InBase<V2HorizontalPodAutoscaler>().Single().Spec.Metrics.Single(metric => metric.Type == "Pods").Pods;
        Assert.AreEqual("nv_inference_pending_request_count", queue.Metric.Name);
        Assert.AreEqual(("AverageValue", "8"), (queue.Target.Type, queue.Target.AverageValue.ToString()));
    }

    [TestMethod]
    public async Task ServiceDiscovery_PointsAtClusterDnsNamesAndServicePorts()
    {
        var published = await PublishedManifests.DefaultAsync();
        var services = published.InBase<V1Service>().ToDictionary(service => service.Metadata.Name);
        var checkedUrls = 0;

        foreach (var configMap in published.InBase<V1ConfigMap>())
        {
            foreach (var (key, value) in configMap.Data ?? new Dictionary<string, string>())
            {
                if (DiscoveryKey().Match(key) is not { Success: true } match)
                {
                    continue;
                }

                var url = new Uri(value);
                var service = services[$"{match.Groups["resource"].Value}-service"];
                Assert.AreEqual(service.Metadata.Name, url.Host, key);
                Assert.AreEqual(url.Port, service.Spec.Ports.Single(port => port.Name == match.Groups["endpoint"].Value).Port, key);
                checkedUrls++;
            }
        }

        var gateway = published.Named<V1ConfigMap>("gateway-config").Data;
        Assert.AreEqual("http://model-serving-service:8081", gateway["services__model-serving__grpc__0"]);
        Assert.AreEqual("http://+:8080", gateway["Kestrel__Endpoints__http__Url"]);
        Assert.IsGreaterThan(20, checkedUrls);
    }

    [TestMethod]
    public async Task ConnectionStrings_EmbedInputsDefinedEarlierInTheContainer()
    {
        var published = await PublishedManifests.DefaultAsync();

        var env = published.Named<V1Deployment>("auth-deployment").Spec.Template.Spec.Containers.Single().Env.ToList();
        Assert.AreEqual(
            "Host=postgres-service;Port=5432;Username=postgres;Password=$(NOVABRAIN_INPUT_POSTGRES_PASSWORD);Database=authdb",
            env.Single(variable => variable.Name == "ConnectionStrings__authdb").Value);
        // TLS off inside the namespace (Redis's conditional part drops out); the RabbitMQ password is URI-encoded in
        // the model and passed through, since inputs are URI-safe.
        var serving = published.Named<V1Deployment>("model-serving-deployment").Spec.Template.Spec.Containers.Single().Env.ToList();
        Assert.AreEqual("redis-service:6379,password=$(NOVABRAIN_INPUT_REDIS_PASSWORD)", serving.Single(v => v.Name == "ConnectionStrings__redis").Value);
        Assert.AreEqual("amqp://guest:$(NOVABRAIN_INPUT_EVENTBUS_PASSWORD)@eventbus-service:5672", serving.Single(v => v.Name == "ConnectionStrings__eventbus").Value);
        foreach (var (name, template) in published.PodTemplates())
        {
            var variables = template.Spec.Containers.Single().Env ?? [];
            for (var i = 0; i < variables.Count; i++)
            {
                foreach (Match reference in VariableReference().Matches(variables[i].Value ?? string.Empty))
                {
                    Assert.IsTrue(variables.Take(i).Any(earlier => earlier.Name == reference.Groups[1].Value),
                        $"{name}: {variables[i].Name} uses {reference.Value} before it is defined");
                }
            }

            foreach (var argument in template.Spec.Containers.Single().Args ?? [])
            {
                foreach (Match reference in VariableReference().Matches(argument))
                {
                    Assert.IsTrue(variables.Any(variable => variable.Name == reference.Groups[1].Value), $"{name}: an argument uses undefined {reference.Value}");
                }
            }
        }
    }

    [TestMethod]
    public async Task Names_AreDns1123Labels()
    {
        var published = await PublishedManifests.DefaultAsync();

        foreach (var loaded in published.Objects.Where(o => o.Object is IMetadata<V1ObjectMeta>))
        {
            var name = ((IMetadata<V1ObjectMeta>)loaded.Object).Metadata.Name;
            Assert.IsTrue(name.Length <= 63 && Dns1123Label().IsMatch(name), $"{loaded.File}: '{name}'");
        }

        foreach (var (name, template) in published.PodTemplates())
        {
            var container = template.Spec.Containers.Single();
            Assert.IsTrue(Dns1123Label().IsMatch(container.Name), name);
            Assert.IsTrue((container.Ports ?? []).All(port => port.Name.Length <= 15 && Dns1123Label().IsMatch(port.Name)), name);
            Assert.IsTrue((template.Spec.Volumes ?? []).All(volume => Dns1123Label().IsMatch(volume.Name)), name);
        }
    }

    [TestMethod]
    public async Task Images_AreTaggedAndNeverLatest()
    {
        var defaults = await PublishedManifests.DefaultAsync();
        var configured = await PublishedManifests.ConfiguredAsync();

        foreach (var (name, template) in defaults.PodTemplates().Concat(configured.PodTemplates()))
        {
            var image = template.Spec.Containers.Single().Image;
            var tag = image[(image.LastIndexOf('/') + 1)..].Split(':').ElementAtOrDefault(1);
            Assert.IsFalse(string.IsNullOrEmpty(tag) || tag == "latest", $"{name}: {image}");
        }

        Assert.AreEqual("novabrain/auth:1.0.0", defaults.Named<V1Deployment>("auth-deployment").Spec.Template.Spec.Containers.Single().Image);
        Assert.AreEqual("registry.example.com/novabrain/model-serving:3.0.1",
            configured.Named<V1Deployment>("model-serving-deployment").Spec.Template.Spec.Containers.Single().Image);
        StringAssert.StartsWith(defaults.Named<V1StatefulSet>("postgres-statefulset").Spec.Template.Spec.Containers.Single().Image, "docker.io/library/postgres:");

        // Service pods pull from the configured registry with its credentials; the backing servers' public images need none.
        foreach (var (name, template) in configured.PodTemplates())
        {
            var secrets = template.Spec.ImagePullSecrets?.Select(secret => secret.Name).ToList() ?? [];
            var isService = template.Spec.Containers.Single().Image.StartsWith("registry.example.com/", StringComparison.Ordinal);
            CollectionAssert.AreEqual(isService ? new[] { "registry-credentials" } : Array.Empty<string>(), secrets, name);
        }

        Assert.IsTrue(defaults.PodTemplates().Values.All(template => template.Spec.ImagePullSecrets is null));
    }

    [TestMethod]
    [DataRow("NovaBrain:Kubernetes:ImageTag=latest", "The image of 'auth' (novabrain/auth:latest) needs a tag other than 'latest'")]
    [DataRow("NovaBrain:Kubernetes:Images:gateway=registry.example.com/gateway", "The image of 'gateway' (registry.example.com/gateway) needs a tag")]
    [DataRow("NovaBrain:Kubernetes:Overlays:prod:ImageTag=latest", "Overlay 'prod' sets the image tag 'latest'")]
    public async Task Images_TaggedLatestOrUntagged_FailThePublish(string setting, string error)
    {
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() => PublishedManifests.PublishAsync(setting));

        StringAssert.Contains(failure.Message, error);
    }

    internal static void AssertNoFileContains(PublishedManifests published, string value)
    {
        foreach (var file in published.Files())
        {
            Assert.IsFalse(File.ReadAllText(Path.Combine(published.Root, file)).Contains(value, StringComparison.Ordinal), $"{file} holds a secret value");
        }
    }

    private static void AssertSubset(IDictionary<string, string> selector, IDictionary<string, string> labels, string name) =>
        Assert.IsTrue(IsSubset(selector, labels), $"{name}: selector is not a subset of the template's labels");

    private static bool IsSubset(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    [GeneratedRegex("^services__(?<resource>[a-z0-9-]+)__(?<endpoint>[a-z0-9-]+)__0$")]
    private static partial Regex DiscoveryKey();

    [GeneratedRegex(@"(?<!\$)\$\(([A-Za-z0-9_]+)\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();
}
