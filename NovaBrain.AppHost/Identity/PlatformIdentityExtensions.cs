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
        var (clientId, secret) = identity.AddServiceClient(service.Resource.Name);
        if (auth is not null)
        {
            // Tokens are checked against keys fetched on first use, so a service need not wait for auth to start.
            service.WithReference(auth);
        }

        return service.WithEnvironment(context =>
        {
            context.EnvironmentVariables["Identity__Issuer"] = identity.Issuer;
            context.EnvironmentVariables["Identity__ClientId"] = clientId;
            context.EnvironmentVariables["Identity__ClientSecret"] = secret.Resource;
        });
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
                var (clientId, secret) = identity.ServiceClients[i];
                context.EnvironmentVariables[$"Auth__ServiceClients__{i}__ClientId"] = clientId;
                context.EnvironmentVariables[$"Auth__ServiceClients__{i}__Secret"] = secret.Resource;
            }
        });
}
