using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using NovaBrain.Auth.Clients;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Server;
using NovaBrain.Auth.Users;
using NovaBrain.Contracts.IntegrationEvents.Identity;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Security;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using OpenIddictPermissions = OpenIddict.Abstractions.OpenIddictConstants.Permissions;

namespace NovaBrain.Auth.Bootstrap;

/// <summary>
/// Makes sure, before the service listens, that what every installation needs exists: the built-in roles, the
/// first administrator, the API scopes, the CLI's client and the services' clients. Roles and the administrator
/// are created once and then left to the administrators; clients follow the configuration at every start.
/// Replicas starting together take turns (an advisory lock), so nothing is created twice.
/// </summary>
internal sealed partial class AuthBootstrapper(
    IServiceScopeFactory scopeFactory,
    IOptions<BootstrapOptions> options,
    TimeProvider timeProvider,
    ILogger<AuthBootstrapper> logger) : IHostedService
{
    public const string AdminUserName = "admin";
    public const string CliClientId = "novabrain-cli";
    private const string SystemActor = "system";
    private const long LockKey = 0x4E42_5345_4544; // "NBSEED"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var context = services.GetRequiredService<AuthContext>();
        var outbox = services.GetRequiredService<IntegrationEventOutbox<AuthContext>>();
        var applications = services.GetRequiredService<IOpenIddictApplicationManager>();
        await using var _ = await AdvisoryLock.AcquireAsync(context, LockKey, cancellationToken);

        await SeedRolesAsync(services.GetRequiredService<RoleManager<AuthRole>>(), outbox);
        await SeedAdminAsync(services.GetRequiredService<UserManager<AuthUser>>(), outbox);
        await SeedScopesAsync(services.GetRequiredService<IOpenIddictScopeManager>(), cancellationToken);
        await SeedCliClientAsync(applications, cancellationToken);
        await SeedServiceClientsAsync(applications, context, outbox, cancellationToken);
        await context.SaveChangesAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedRolesAsync(RoleManager<AuthRole> roles, IntegrationEventOutbox<AuthContext> outbox)
    {
        foreach (var (name, grants) in BuiltInRoles.Grants)
        {
            // An existing role keeps whatever permissions an administrator gave it since.
            if (await roles.RoleExistsAsync(name))
            {
                continue;
            }
            var role = new AuthRole { Name = name, IsBuiltIn = true };
            role.Permissions.AddRange(grants.Select(permission => new RolePermission { RoleId = role.Id, Permission = permission }));
            Check(await roles.CreateAsync(role), $"the built-in role '{name}'");
            outbox.Add(new RolePermissionsChanged(name, grants, Created: true, ChangedBy: SystemActor));
            LogRoleCreated(name);
        }
    }

    private async Task SeedAdminAsync(UserManager<AuthUser> users, IntegrationEventOutbox<AuthContext> outbox)
    {
        if (await users.FindByNameAsync(AdminUserName) is not null)
        {
            return;
        }
        var settings = options.Value.Bootstrap;
        if (string.IsNullOrEmpty(settings.AdminPassword))
        {
            throw new InvalidOperationException(
                $"There is no '{AdminUserName}' user yet and Auth:Bootstrap:AdminPassword is not set. Set it (environment variable " +
                "Auth__Bootstrap__AdminPassword; the AppHost passes its 'admin-password' parameter) to create the first administrator.");
        }

        var email = string.IsNullOrWhiteSpace(settings.AdminEmail) ? null : settings.AdminEmail;
        var admin = new AuthUser
        {
            UserName = AdminUserName,
            Email = email,
            EmailConfirmed = email is not null,
            DisplayName = "Administrator",
            CreatedAt = timeProvider.GetUtcNow(),
        };
        Check(await users.CreateAsync(admin, settings.AdminPassword), $"the '{AdminUserName}' user");
        Check(await users.AddToRoleAsync(admin, BuiltInRoles.Admin), $"the '{AdminUserName}' user's role");
        outbox.Add(new UserCreated(admin.Id, AdminUserName, email, [BuiltInRoles.Admin], IsServiceAccount: false, CreatedBy: null));
        LogAdminCreated(AdminUserName);
    }

    /// <summary>Each <c>api:{prefix}</c> scope, whose resource is the API's audience.</summary>
    private static async Task SeedScopesAsync(IOpenIddictScopeManager scopes, CancellationToken cancellationToken)
    {
        foreach (var prefix in ApiAudiences.Prefixes)
        {
            var name = ApiAudiences.Scope(prefix);
            if (await scopes.FindByNameAsync(name, cancellationToken) is not null)
            {
                continue;
            }
            var descriptor = new OpenIddictScopeDescriptor { Name = name, DisplayName = $"NovaBrain {prefix} API" };
            descriptor.Resources.Add(ApiAudiences.For(prefix));
            await scopes.CreateAsync(descriptor, cancellationToken);
        }
    }

    private async Task SeedCliClientAsync(IOpenIddictApplicationManager applications, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = CliClientId,
            ClientType = ClientTypes.Public,
            ApplicationType = ApplicationTypes.Native,
            // First party: signing in is consenting.
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "NovaBrain CLI",
            Permissions =
            {
                OpenIddictPermissions.Endpoints.Authorization,
                OpenIddictPermissions.Endpoints.Token,
                OpenIddictPermissions.Endpoints.Revocation,
                OpenIddictPermissions.Endpoints.EndSession,
                OpenIddictPermissions.GrantTypes.AuthorizationCode,
                OpenIddictPermissions.GrantTypes.Password,
                OpenIddictPermissions.GrantTypes.RefreshToken,
                OpenIddictPermissions.ResponseTypes.Code,
                OpenIddictPermissions.Scopes.Email,
                OpenIddictPermissions.Scopes.Profile,
                OpenIddictPermissions.Scopes.Roles,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        descriptor.Permissions.UnionWith(ApiScopes.Api.Select(scope => OpenIddictPermissions.Prefixes.Scope + scope));
        descriptor.RedirectUris.UnionWith(options.Value.Cli.EffectiveRedirectUris);
        await UpsertApplicationAsync(applications, descriptor, secret: null, cancellationToken);
    }

    private async Task SeedServiceClientsAsync(
        IOpenIddictApplicationManager applications, AuthContext context, IntegrationEventOutbox<AuthContext> outbox, CancellationToken cancellationToken)
    {
        foreach (var client in options.Value.ServiceClients)
        {
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = client.ClientId,
                ClientType = ClientTypes.Confidential,
                DisplayName = client.ClientId,
                Permissions =
                {
                    OpenIddictPermissions.Endpoints.Token,
                    OpenIddictPermissions.Endpoints.Introspection,
                    OpenIddictPermissions.Endpoints.Revocation,
                    OpenIddictPermissions.GrantTypes.ClientCredentials,
                },
            };
            descriptor.Permissions.UnionWith(ApiScopes.Api.Select(scope => OpenIddictPermissions.Prefixes.Scope + scope));
            await UpsertApplicationAsync(applications, descriptor, client.Secret, cancellationToken);

            var permissions = client.EffectivePermissions.Distinct().Order(StringComparer.Ordinal).ToList();
            if (await context.MachineClients.FindAsync([client.ClientId], cancellationToken) is { } existing)
            {
                existing.Permissions = permissions;
                existing.IsServiceClient = true;
                continue;
            }
            context.MachineClients.Add(new MachineClient
            {
                ClientId = client.ClientId,
                Permissions = permissions,
                IsServiceClient = true,
                CreatedAt = timeProvider.GetUtcNow(),
                CreatedBy = SystemActor,
            });
            outbox.Add(new MachineClientCreated(client.ClientId, permissions, SystemActor));
        }
    }

    /// <summary>
    /// Creates the client, or brings an existing one in line with <paramref name="desired"/>. Its secret is replaced
    /// only when it differs from <paramref name="secret"/>, so a restart does not rehash it.
    /// </summary>
    private async Task UpsertApplicationAsync(
        IOpenIddictApplicationManager applications, OpenIddictApplicationDescriptor desired, string? secret, CancellationToken cancellationToken)
    {
        var application = await applications.FindByClientIdAsync(desired.ClientId!, cancellationToken);
        if (application is null)
        {
            desired.ClientSecret = secret;
            await applications.CreateAsync(desired, cancellationToken);
            LogClientCreated(desired.ClientId!);
            return;
        }

        var current = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(current, application, cancellationToken);
        desired.ClientSecret = current.ClientSecret; // the stored hash, kept as is
        await applications.UpdateAsync(application, desired, cancellationToken);
        if (secret is not null && !await applications.ValidateClientSecretAsync(application, secret, cancellationToken))
        {
            await applications.UpdateAsync(application, secret, cancellationToken);
            LogClientSecretChanged(desired.ClientId!);
        }
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not create {what}: {string.Join(" ", result.Errors.Select(error => error.Description))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the built-in role {Role}")]
    private partial void LogRoleCreated(string role);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the administrator {UserName} from Auth:Bootstrap")]
    private partial void LogAdminCreated(string userName);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the client {ClientId}")]
    private partial void LogClientCreated(string clientId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replaced the secret of the client {ClientId} with the configured one")]
    private partial void LogClientSecretChanged(string clientId);
}
