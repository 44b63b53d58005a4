namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>
/// A server run from its installed binary on loopback: the process twin of a container resource,
/// with the same shape (primary endpoint, host, port, connection string).
/// </summary>
public abstract class LocalServerResource(string name, string command, string workingDirectory, string primaryEndpointName = LocalServerResource.TcpEndpointName)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string TcpEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public string PrimaryEndpointName { get; } = primaryEndpointName;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public EndpointReferenceExpression Host => PrimaryEndpoint.Property(EndpointProperty.Host);

    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public abstract ReferenceExpression ConnectionStringExpression { get; }
}

public static class LocalEndpointExtensions
{
    /// <summary>
    /// A loopback endpoint the process binds itself (not proxied), on a port free now, so a running
    /// system and a test run never collide and a restart keeps the port.
    /// </summary>
    public static IResourceBuilder<T> WithLoopbackEndpoint<T>(this IResourceBuilder<T> builder, string name, string scheme = "tcp")
        where T : IResourceWithEndpoints
    {
        var port = LocalState.FreePort();
        return builder
            .WithEndpoint(port: port, targetPort: port, scheme: scheme, name: name, isProxied: false)
            .WithEndpoint(name, endpoint => endpoint.TargetHost = "127.0.0.1");
    }
}
