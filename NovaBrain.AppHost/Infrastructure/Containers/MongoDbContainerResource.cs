using System.Net.Sockets;

namespace NovaBrain.AppHost.Infrastructure.Containers;

/// <summary>MongoDB from the official image (Aspire.Hosting.MongoDB is not on our feed).</summary>
public sealed class MongoDbContainerResource(string name, ParameterResource password) : ContainerResource(name), IResourceWithConnectionString
{
    public const string Image = "library/mongo";
    public const string Tag = "8.0.15";
    public const string Registry = "docker.io";
    public const string UserName = "admin";
    public const int TargetPort = 27017;

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => new(this, "tcp");

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"mongodb://{UserName}:{PasswordParameter}@{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}/?authSource=admin&authMechanism=SCRAM-SHA-256");
}

public static class MongoDbContainerBuilderExtensions
{
    public static IResourceBuilder<MongoDbContainerResource> AddMongoDbContainer(this IDistributedApplicationBuilder builder, string name)
    {
        var password = ParameterResourceBuilderExtensions.CreateGeneratedParameter(
            builder, $"{name}-password", secret: true, new GenerateParameterDefault { MinLength = 22, Special = false });
        return builder.AddResource(new MongoDbContainerResource(name, password))
            .WithImage(MongoDbContainerResource.Image, MongoDbContainerResource.Tag)
            .WithImageRegistry(MongoDbContainerResource.Registry)
            .WithEndpoint(targetPort: MongoDbContainerResource.TargetPort, name: "tcp")
            .WithEnvironment("MONGO_INITDB_ROOT_USERNAME", MongoDbContainerResource.UserName)
            .WithEnvironment("MONGO_INITDB_ROOT_PASSWORD", password)
            .WithVolume($"{name}-data", "/data/db")
            // The driver is not referenced here; a TCP answer on the mapped port is the readiness signal.
            .WithServerHealthCheck(async (resource, ct) =>
            {
                using var client = new TcpClient();
                await client.ConnectAsync(resource.PrimaryEndpoint.Host, resource.PrimaryEndpoint.Port, ct);
            });
    }
}
