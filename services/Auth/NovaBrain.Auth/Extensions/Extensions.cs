using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using NovaBrain.Auth.Account;
using NovaBrain.Auth.Bootstrap;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.Roles;
using NovaBrain.Auth.Server;
using NovaBrain.Auth.SigningKeys;
using NovaBrain.Auth.Users;
using NovaBrain.Security;

namespace Microsoft.Extensions.Hosting;

public static class AuthServiceExtensions
{
    /// <summary>
    /// The auth service's own parts: Identity (users, roles, passwords, lockout, the login cookie), the OpenIddict
    /// token server and its keys, external login, and the start-up seeding. Call after <c>AddServiceDatabase</c>:
    /// hosted services start in order, and the keys and the seed need the migrated schema.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var issuer = PublicIssuer(builder.Configuration);

        services.Configure<ForwardedHeadersOptions>(GatewayForwardedHeaders.Configure);
        services.AddTransient<IStartupFilter, GatewayForwardedHeaders>();

        services.AddDataProtection()
            .SetApplicationName("novabrain-auth")
            .PersistKeysToDbContext<AuthContext>();
        services.AddAntiforgery();

        services.AddAuthorization();
        services.AddAuthentication().AddIdentityCookies();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "novabrain.session";
            cookie.LoginPath = AccountEndpoints.LoginPath;
            cookie.LogoutPath = AccountEndpoints.LogoutPath;
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
        });
        services.AddIdentityCore<AuthUser>(identity =>
            {
                identity.Password.RequiredLength = 12;
                identity.Password.RequireDigit = true;
                identity.Password.RequireUppercase = true;
                identity.Password.RequireLowercase = true;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                identity.Lockout.AllowedForNewUsers = true;
            })
            .AddRoles<AuthRole>()
            .AddEntityFrameworkStores<AuthContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddUserValidator<UniqueEmailValidator>();
        services.Configure<IdentityOptions>(identity =>
        {
            builder.Configuration.GetSection("Auth:Password").Bind(identity.Password);
            builder.Configuration.GetSection("Auth:Lockout").Bind(identity.Lockout);
        });
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName);
        services.AddScoped<PasswordSignIn>();
        services.TryAddScoped<PermissionResolver>();

        services.AddTokenServer(issuer);
        // The auth service checks the tokens it issued against its own key ring, not over HTTP to itself.
        services.Replace(ServiceDescriptor.Singleton<IConfigurationManager<OpenIdConnectConfiguration>>(
            provider => provider.GetRequiredService<LocalTokenValidationConfiguration>()));
        services.AddExternalLogin(builder.Configuration, issuer);

        services.AddOptions<BootstrapOptions>()
            .BindConfiguration(BootstrapOptions.SectionName)
            .Validate(seed => seed.ServiceClients.All(client => client.ClientId.Length > 0 && client.Secret.Length > 0),
                "Every Auth:ServiceClients entry needs a ClientId and a Secret.")
            .Validate(seed => seed.ServiceClients.SelectMany(client => client.Permissions).All(Permissions.IsKnown),
                "Auth:ServiceClients names a permission that does not exist.")
            .ValidateOnStart();
        services.AddHostedService<AuthBootstrapper>();
        services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// <c>Identity:Issuer</c>, the address clients reach this service at (the gateway's), ending with a slash so
    /// paths resolve under it.
    /// </summary>
    private static Uri PublicIssuer(IConfiguration configuration)
    {
        var configured = configuration["Identity:Issuer"];
        if (!Uri.TryCreate(configured, UriKind.Absolute, out var issuer))
        {
            throw new InvalidOperationException(
                "Identity:Issuer must be set to the absolute public address of the auth service, e.g. http://localhost:8080/.");
        }
        return issuer.AbsoluteUri.EndsWith('/') ? issuer : new Uri(issuer.AbsoluteUri + "/");
    }
}
