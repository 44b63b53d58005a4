using Microsoft.Extensions.Configuration;

namespace NovaBrain.AppHost.Infrastructure;

/// <summary>The configuration keys the AppHost reads.</summary>
public static class InfrastructureSettings
{
    public const string Mode = "NovaBrain:Infrastructure";
    public const string StateDirectory = "NovaBrain:StateDirectory";
    public const string LocalSection = "NovaBrain:Local";
    public const string PostgresBin = LocalSection + ":PostgresBin";
    public const string RedisServer = LocalSection + ":RedisServer";
    public const string RabbitMqServer = LocalSection + ":RabbitMqServer";
    public const string Epmd = LocalSection + ":Epmd";
    public const string Prometheus = LocalSection + ":Prometheus";
    public const string GatewayHttpPort = "NovaBrain:Gateway:HttpPort";
    public const string GatewayGrpcPort = "NovaBrain:Gateway:GrpcPort";
    public const string GatewayReplicas = "NovaBrain:Gateway:Replicas";
    public const string ContainerRuntime = "ASPIRE_CONTAINER_RUNTIME";

    public const string DefaultStateFolderName = ".novabrain";
}

/// <summary>Where the backing servers keep their data and which binaries local mode uses.</summary>
/// <param name="Mode">The configured mode (null means auto).</param>
/// <param name="StateDirectory">Absolute folder holding data, generated secrets and configuration of local servers.</param>
/// <param name="Binaries">Configured binary locations; null entries are looked up in the usual places.</param>
public sealed record InfrastructureOptions(string? Mode, string StateDirectory, LocalBinaryOverrides Binaries)
{
    /// <summary>Reads the options; the state folder defaults to <c>.novabrain</c> in the repository root (the AppHost's parent folder).</summary>
    public static InfrastructureOptions From(IConfiguration configuration, string appHostDirectory)
    {
        var state = configuration[InfrastructureSettings.StateDirectory];
        if (string.IsNullOrWhiteSpace(state))
        {
            state = Path.Combine(appHostDirectory, "..", InfrastructureSettings.DefaultStateFolderName);
        }

        return new(
            configuration[InfrastructureSettings.Mode],
            Path.GetFullPath(state),
            new LocalBinaryOverrides(
                configuration[InfrastructureSettings.PostgresBin],
                configuration[InfrastructureSettings.RedisServer],
                configuration[InfrastructureSettings.RabbitMqServer],
                configuration[InfrastructureSettings.Epmd],
                configuration[InfrastructureSettings.Prometheus]));
    }
}

/// <summary>Binary locations given in configuration.</summary>
/// <param name="PostgresBin">A folder holding <c>initdb</c> and <c>postgres</c>.</param>
public sealed record LocalBinaryOverrides(string? PostgresBin, string? RedisServer, string? RabbitMqServer, string? Epmd, string? Prometheus)
{
    public static LocalBinaryOverrides None { get; } = new(null, null, null, null, null);
}
