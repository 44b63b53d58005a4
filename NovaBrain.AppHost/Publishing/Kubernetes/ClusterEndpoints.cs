namespace NovaBrain.AppHost.Publishing.Kubernetes;

/// <summary>An endpoint of a published resource: its Service port, which is also the port its container listens on.</summary>
public sealed record ClusterEndpoint(IResource Resource, string Name, string Scheme, int Port)
{
    /// <summary>The endpoint's address inside the namespace: the resource's Service name.</summary>
    public string Host => ClusterNames.Service(Resource.Name);

    /// <summary>An HTTP/2-only (gRPC) endpoint, so that ingress controllers and meshes speak HTTP/2 to it.</summary>
    public bool IsHttp2Only => Name == NovaBrainServiceExtensions.GrpcEndpointName;
}

/// <summary>
/// The ports of every published endpoint. A fixed target port or port is kept; the others get the first free port
/// from 8080 in declaration order, as Aspire's publishers give projects 8080.
/// </summary>
public sealed class ClusterEndpoints
{
    private const int FirstPort = 8080;

    private readonly Dictionary<(string Resource, string Endpoint), ClusterEndpoint> endpoints = [];

    public ClusterEndpoints(IEnumerable<IResource> resources)
    {
        foreach (var resource in resources)
        {
            var annotations = resource.Annotations.OfType<EndpointAnnotation>().ToList();
            var taken = annotations.Select(e => e.TargetPort ?? e.Port).OfType<int>().ToHashSet();
            var next = FirstPort;
            foreach (var annotation in annotations)
            {
                var port = annotation.TargetPort ?? annotation.Port;
                if (port is null)
                {
                    while (!taken.Add(next))
                    {
                        next++;
                    }

                    port = next;
                }

                endpoints[(resource.Name, annotation.Name)] = new ClusterEndpoint(resource, annotation.Name, annotation.UriScheme, port.Value);
            }
        }
    }

    public ClusterEndpoint Of(IResource resource, string endpointName) =>
        endpoints.TryGetValue((resource.Name, endpointName), out var endpoint)
            ? endpoint
            : throw new KubernetesPublishingException($"'{resource.Name}' has no endpoint '{endpointName}' in the published model.");

    public IReadOnlyList<ClusterEndpoint> Of(IResource resource) =>
        endpoints.Values.Where(endpoint => endpoint.Resource.Name == resource.Name).ToList();
}

/// <summary>The app model holds something the Kubernetes publisher cannot express.</summary>
public sealed class KubernetesPublishingException(string message) : Exception(message);
