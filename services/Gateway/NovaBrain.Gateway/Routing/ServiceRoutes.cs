using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace NovaBrain.Gateway.Routing;

/// <summary>
/// The gateway's routes, path unchanged, to one cluster per service at <c>http://{service}</c>, which service
/// discovery resolves to the service's endpoints:
/// <list type="bullet">
/// <item><c>/api/{prefix}/{**rest}</c> to the service of that prefix, authenticated, with the prefix's own body limit
/// and timeout where it has one;</item>
/// <item><c>/api/{prefix}/openapi/{**rest}</c>, its OpenAPI documents, anonymous and not rate limited;</item>
/// <item><c>/connect</c>, <c>/.well-known</c>, <c>/account</c> and <c>/callback</c> to the auth service, anonymous
/// (OpenID Connect endpoints and login pages authenticate their callers themselves);</item>
/// <item><c>/v2/{**rest}</c>, the inference protocol, to model serving, authenticated, with the inference timeout;</item>
/// <item><c>/{grpc service}/{method}</c> for each of <see cref="GatewayOptions.GrpcServices"/>, authenticated, over
/// HTTP/2 to a cluster of the service's <c>grpc</c> endpoints (<c>http://_grpc.{service}</c>).</item>
/// </list>
/// Authentication at the edge only turns away callers nobody knows; permissions are checked by the services.
/// </summary>
public static class ServiceRoutes
{
    /// <summary>YARP's names for the application's default authorization policy and for none.</summary>
    private const string Authenticated = "default";
    private const string Anonymous = "anonymous";

    /// <summary>YARP's name for "no rate limiting", which the gateway's limiter honours too.</summary>
    private const string NotRateLimited = "disable";

    private static readonly string[] AuthServerPaths = ["connect", ".well-known", "account", "callback"];

    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(GatewayOptions options)
    {
        var routes = new List<RouteConfig>();
        foreach (var (prefix, service) in options.Services)
        {
            routes.Add(Route(options, prefix, service, $"/api/{prefix}/{{**rest}}", Authenticated) with
            {
                MaxRequestBodySize = options.Limits.MaxRequestBodyBytesOf(prefix),
                Timeout = options.Timeouts.Of(prefix),
            });
            routes.Add(Route(options, $"{prefix}-openapi", service, $"/api/{prefix}/openapi/{{**rest}}", Anonymous) with
            {
                RateLimiterPolicy = NotRateLimited,
            });
        }

        foreach (var (prefix, paths) in options.AnonymousApiPaths)
        {
            routes.AddRange(paths.Select((path, index) =>
                Route(options, $"{prefix}-anonymous-{index}", options.Services[prefix], path, Anonymous)));
        }

        var authService = options.Services[GatewayOptions.AuthPrefix];
        routes.AddRange(AuthServerPaths.Select(path =>
            Route(options, $"auth-{path.TrimStart('.')}", authService, $"/{path}/{{**rest}}", Anonymous)));

        routes.Add(Route(options, "inference", options.Services[GatewayOptions.ServingPrefix], "/v2/{**rest}", Authenticated) with
        {
            Timeout = options.Timeouts.Inference,
        });

        var clusters = options.Services.Values.Distinct().Select(service => Cluster(options, service)).ToList();

        foreach (var (grpcService, prefix) in options.GrpcServices)
        {
            var service = options.Services[prefix];
            var isInference = prefix == GatewayOptions.ServingPrefix;
            routes.Add(Route(options, $"grpc-{grpcService}", GrpcCluster(service), $"/{grpcService}/{{method}}", Authenticated) with
            {
                MaxRequestBodySize = options.Limits.MaxRequestBodyBytesOf(prefix),
                Timeout = isInference ? options.Timeouts.Inference : options.Timeouts.Of(prefix),
            });
        }
        clusters.AddRange(options.GrpcServices.Values.Distinct().Select(prefix => GrpcClusterConfig(options, options.Services[prefix])));

        return (routes, clusters);
    }

    private static RouteConfig Route(GatewayOptions options, string routeId, string service, string path, string authorization) => new()
    {
        RouteId = routeId,
        ClusterId = service,
        Match = new RouteMatch { Path = path },
        AuthorizationPolicy = authorization,
        MaxRequestBodySize = options.Limits.MaxRequestBodyBytes,
        Timeout = options.Timeouts.Management,
    };

    private static string GrpcCluster(string service) => $"{service}-grpc";

    /// <summary>
    /// A service's gRPC endpoints, spoken to in HTTP/2 only (cleartext, prior knowledge). Only passive health checks:
    /// the active probe is an HTTP/1.1 request the HTTP/2-only endpoint does not answer, and the service's HTTP
    /// cluster already probes the same process.
    /// </summary>
    private static ClusterConfig GrpcClusterConfig(GatewayOptions options, string service)
    {
        var cluster = Cluster(options, service);
        return cluster with
        {
            ClusterId = GrpcCluster(service),
            HealthCheck = cluster.HealthCheck! with { Active = null },
            HttpRequest = cluster.HttpRequest! with { Version = System.Net.HttpVersion.Version20, VersionPolicy = System.Net.Http.HttpVersionPolicy.RequestVersionExact },
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"http://_grpc.{service}" },
            },
        };
    }

    private static ClusterConfig Cluster(GatewayOptions options, string service) => new()
    {
        ClusterId = service,
        LoadBalancingPolicy = LoadBalancingPolicies.PowerOfTwoChoices,
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Path = "/health/ready",
                Interval = options.HealthChecks.Interval,
                Timeout = options.HealthChecks.Timeout,
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
            },
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = options.HealthChecks.ReactivationPeriod,
            },
        },
        // YARP's own idle timeout (100 s by default) must not cut a request the route's timeout still allows.
        HttpRequest = new ForwarderRequestConfig
        {
            ActivityTimeout = options.Timeouts.Inference > options.Timeouts.Management
                ? options.Timeouts.Inference
                : options.Timeouts.Management,
        },
        Destinations = new Dictionary<string, DestinationConfig>
        {
            [service] = new() { Address = $"http://{service}" },
        },
    };
}
