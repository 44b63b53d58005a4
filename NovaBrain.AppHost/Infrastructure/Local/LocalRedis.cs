using StackExchange.Redis;

namespace NovaBrain.AppHost.Infrastructure.Local;

/// <summary>Redis run from the installed <c>redis-server</c>.</summary>
public sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : LocalServerResource(name, command, workingDirectory)
{
    public ParameterResource PasswordParameter { get; } = password;

    public override ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Host}:{Port},password={PasswordParameter}");
}

public static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalBinaries binaries, LocalState state)
    {
        var password = builder.AddParameter($"{name}-password", () => state.Secret($"{name}-password"), secret: true);
        var folder = state.Folder(name);
        var redis = new LocalRedisResource(name, binaries.RedisServer, folder, password.Resource);
        return builder.AddResource(redis)
            .WithLoopbackEndpoint(LocalServerResource.TcpEndpointName)
            .WithArgs(context =>
            {
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--requirepass");
                context.Args.Add(redis.PasswordParameter);
                context.Args.Add("--dir");
                context.Args.Add(folder);
            })
            .WithServerHealthCheck(async (resource, ct) =>
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(await resource.ConnectionStringExpression.GetValueAsync(ct) ?? string.Empty);
                await connection.GetDatabase().PingAsync();
            });
    }
}
