using Yarp.ReverseProxy.Configuration;

namespace NovaBrain.Gateway.Routing;

/// <summary>
/// One YARP route and cluster per service: <c>/api/{prefix}/{**rest}</c> goes, path unchanged, to
/// <c>http://{service}</c>, which service discovery resolves to the service's endpoints.
/// </summary>
public static class ServiceRoutes
{
    public static (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters) Build(GatewayOptions options)
    {
        var routes = options.Services.Select(entry => new RouteConfig
        {
            RouteId = entry.Key,
            ClusterId = entry.Value,
            Match = new RouteMatch { Path = $"/api/{entry.Key}/{{**rest}}" },
        }).ToList();

        var clusters = options.Services.Values.Distinct().Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                [service] = new() { Address = $"http://{service}" },
            },
        }).ToList();

        return (routes, clusters);
    }
}
