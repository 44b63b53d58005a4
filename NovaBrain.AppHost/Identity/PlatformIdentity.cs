using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Infrastructure.Local;

namespace NovaBrain.AppHost.Identity;

/// <summary>
/// Who the services are to each other and to their users: the public issuer every service trusts, the bootstrap
/// admin's password, and one client-credentials client per service (<c>svc-{name}</c>) whose secret only that
/// service and the auth service receive.
/// </summary>
/// <remarks>
/// Secrets are AppHost parameters. In a run, a parameter that configuration (<c>Parameters:{name}</c>) does not set is
/// generated once and kept in the state folder's <c>secrets/</c>, so restarts keep the same values; published, it is
/// an input of the deployment.
/// </remarks>
public sealed class PlatformIdentity
{
    public const string AdminPasswordParameter = "admin-password";
    public const string IssuerParameter = "identity-issuer";
    public const string ServiceClientPrefix = "svc-";

    private readonly IDistributedApplicationBuilder builder;
    private readonly LocalState? runState;
    private readonly List<ServiceClient> serviceClients = [];

    private PlatformIdentity(IDistributedApplicationBuilder builder, LocalState? runState, object issuer, IResourceBuilder<ParameterResource> adminPassword)
    {
        this.builder = builder;
        this.runState = runState;
        Issuer = issuer;
        AdminPassword = adminPassword;
    }

    /// <summary>The issuer: the gateway's public address in a run, a deployment input when published.</summary>
    public object Issuer { get; }

    public IResourceBuilder<ParameterResource> AdminPassword { get; }

    public IReadOnlyList<ServiceClient> ServiceClients => serviceClients;

    public static PlatformIdentity Create(IDistributedApplicationBuilder builder, int gatewayHttpPort)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new PlatformIdentity(
                builder, runState: null, builder.AddParameter(IssuerParameter).Resource, builder.AddParameter(AdminPasswordParameter, secret: true));
        }

        var state = new LocalState(InfrastructureOptions.From(builder.Configuration, builder.AppHostDirectory).StateDirectory);
        var identity = new PlatformIdentity(
            builder, state, FormattableString.Invariant($"http://localhost:{gatewayHttpPort}/"), RunSecret(builder, state, AdminPasswordParameter));

        if (builder.Configuration[$"Parameters:{AdminPasswordParameter}"] is null)
        {
            builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
            {
                @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger<PlatformIdentity>().LogInformation(
                    "Sign in as 'admin' with the password in {PasswordFile} (set Parameters:{Parameter} to choose it)",
                    Path.Combine(state.Root, "secrets", AdminPasswordParameter), AdminPasswordParameter);
                return Task.CompletedTask;
            });
        }

        return identity;
    }

    /// <summary>A client for the service named <paramref name="serviceName"/>, with its own secret.</summary>
    public ServiceClient AddServiceClient(string serviceName)
    {
        var parameter = $"{serviceName}-client-secret";
        var client = new ServiceClient(
            ServiceClientPrefix + serviceName,
            runState is null ? builder.AddParameter(parameter, secret: true) : RunSecret(builder, runState, parameter));
        serviceClients.Add(client);
        return client;
    }

    public ServiceClient ClientOf(string serviceName) =>
        serviceClients.Single(client => client.ClientId == ServiceClientPrefix + serviceName);

    private static IResourceBuilder<ParameterResource> RunSecret(IDistributedApplicationBuilder builder, LocalState state, string name) =>
        builder.Configuration[$"Parameters:{name}"] is null
            ? builder.AddParameter(name, state.Secret(name), secret: true)
            : builder.AddParameter(name, secret: true);
}

/// <summary>
/// A service's own client: every one may validate API keys; <see cref="Permissions"/> adds what the service needs to call
/// other services on its own behalf (the registry storing artifacts in the parameter service, say).
/// </summary>
public sealed record ServiceClient(string ClientId, IResourceBuilder<ParameterResource> Secret)
{
    public List<string> Permissions { get; } = [NovaBrain.Security.Permissions.ApiKeysValidate];
}
