using NovaBrain.AppHost.Identity;

namespace Aspire.Hosting;

public static class PlatformIdentityExtensions
{
    /// <summary>
    /// Gives the service its identity: the issuer it trusts (<c>Identity__Issuer</c>), the auth service to fetch keys
    /// from and validate API keys with, and its own client (<c>Identity__ClientId</c>/<c>Identity__ClientSecret</c>).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithPlatformIdentity(
        this IResourceBuilder<ProjectResource> service, PlatformIdentity identity, IResourceBuilder<ProjectResource>? auth)
    {
        var client = identity.AddServiceClient(service.Resource.Name);
        if (auth is not null)
        {
            // Tokens are checked against keys fetched on first use, so a service need not wait for auth to start.
            service.WithReference(auth);
        }

        return service.WithEnvironment(context =>
        {
            context.EnvironmentVariables["Identity__Issuer"] = identity.Issuer;
            context.EnvironmentVariables["Identity__ClientId"] = client.ClientId;
            context.EnvironmentVariables["Identity__ClientSecret"] = client.Secret.Resource;
        });
    }

    /// <summary>Lets the service's own client call other services with these permissions.</summary>
    public static IResourceBuilder<ProjectResource> WithServicePermissions(
        this IResourceBuilder<ProjectResource> service, PlatformIdentity identity, params string[] permissions)
    {
        identity.ClientOf(service.Resource.Name).Permissions.AddRange(permissions);
        return service;
    }

    /// <summary>
    /// Makes the service the identity provider: it receives the bootstrap admin password and every service client's
    /// secret, read when it starts, so clients of services declared after it are included.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsIdentityProvider(this IResourceBuilder<ProjectResource> auth, PlatformIdentity identity) =>
        auth.WithEnvironment(context =>
        {
            context.EnvironmentVariables["Auth__Bootstrap__AdminPassword"] = identity.AdminPassword.Resource;
            for (var i = 0; i < identity.ServiceClients.Count; i++)
            {
                var client = identity.ServiceClients[i];
                context.EnvironmentVariables[$"Auth__ServiceClients__{i}__ClientId"] = client.ClientId;
                context.EnvironmentVariables[$"Auth__ServiceClients__{i}__Secret"] = client.Secret.Resource;
                for (var j = 0; j < client.Permissions.Count; j++)
                {
                    context.EnvironmentVariables[$"Auth__ServiceClients__{i}__Permissions__{j}"] = client.Permissions[j];
                }
            }
        });
}
