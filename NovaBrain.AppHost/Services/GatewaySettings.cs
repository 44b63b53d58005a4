using Microsoft.Extensions.Configuration;
using NovaBrain.AppHost.Infrastructure;

namespace Aspire.Hosting;

/// <summary>
/// How many gateways run and where: the first listens on the configured ports (<c>NovaBrain:Gateway:HttpPort</c>/
/// <c>GrpcPort</c>, default 8080/8081), the address clients are given; further replicas
/// (<c>NovaBrain:Gateway:Replicas</c>, default 1) listen on ports the AppHost allocates.
/// </summary>
public sealed record GatewaySettings(int HttpPort, int GrpcPort, int Replicas)
{
    public const int DefaultHttpPort = 8080;
    public const int DefaultGrpcPort = 8081;

    public static GatewaySettings From(IConfiguration configuration)
    {
        var settings = new GatewaySettings(
            configuration.GetValue(InfrastructureSettings.GatewayHttpPort, DefaultHttpPort),
            configuration.GetValue(InfrastructureSettings.GatewayGrpcPort, DefaultGrpcPort),
            configuration.GetValue(InfrastructureSettings.GatewayReplicas, 1));
        return settings.Replicas >= 1
            ? settings
            : throw new InvalidOperationException($"{InfrastructureSettings.GatewayReplicas} is at least 1; it is {settings.Replicas}.");
    }

    /// <summary><c>gateway</c>, then <c>gateway-2</c>, <c>gateway-3</c>...</summary>
    public static string ReplicaName(int replica) => replica == 1 ? "gateway" : $"gateway-{replica}";

    /// <summary>The fixed ports of the first replica; null (allocated) for the others.</summary>
    public (int? Http, int? Grpc) PortsOf(int replica) => replica == 1 ? (HttpPort, GrpcPort) : (null, null);
}
