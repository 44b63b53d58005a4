using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using NovaBrain.Security;

namespace Microsoft.Extensions.Hosting;

public static partial class Extensions
{
    /// <summary>
    /// Who is calling: a JWT from the auth service (<c>Bearer</c>) or an API key (<c>ApiKey</c>), picked by the
    /// headers the request carries. Every endpoint requires an authenticated caller unless it says otherwise, and a
    /// service whose endpoints do not all say who may call them does not start.
    /// </summary>
    private static TBuilder AddDefaultAuthentication<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<ServiceIdentityOptions>()
            .BindConfiguration(ServiceIdentityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(AuthorityDocumentRetriever.HttpClientName);
        services.TryAddSingleton<IConfigurationManager<OpenIdConnectConfiguration>>(provider =>
        {
            var authority = provider.GetRequiredService<IOptions<ServiceIdentityOptions>>().Value.Authority;
            return new ConfigurationManager<OpenIdConnectConfiguration>(
                new Uri(authority, "/.well-known/openid-configuration").AbsoluteUri,
                new OpenIdConnectConfigurationRetriever(),
                new AuthorityDocumentRetriever(provider.GetRequiredService<IHttpClientFactory>(), authority))
            {
                // A service that starts before auth answers tries again within a minute, not five.
                RefreshInterval = TimeSpan.FromMinutes(1),
            };
        });

        services.AddAuthentication(NovaBrainAuthenticationSchemes.Default)
            .AddPolicyScheme(NovaBrainAuthenticationSchemes.Default, displayName: null, options =>
                options.ForwardDefaultSelector = context => ApiKeyAuthenticationHandler.HasApiKey(context.Request)
                    ? NovaBrainAuthenticationSchemes.ApiKey
                    : NovaBrainAuthenticationSchemes.Bearer)
            .AddJwtBearer(NovaBrainAuthenticationSchemes.Bearer)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(NovaBrainAuthenticationSchemes.ApiKey, configureOptions: null);

        services.AddOptions<JwtBearerOptions>(NovaBrainAuthenticationSchemes.Bearer)
            .Configure<IOptions<ServiceIdentityOptions>, IConfigurationManager<OpenIdConnectConfiguration>>((jwt, identity, configurationManager) =>
            {
                jwt.ConfigurationManager = configurationManager;
                jwt.RequireHttpsMetadata = false;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.ValidIssuer = identity.Value.Issuer;
                jwt.TokenValidationParameters.ValidAudiences = identity.Value.Audiences;
                jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
                jwt.TokenValidationParameters.NameClaimType = NovaBrainClaimTypes.Name;
                jwt.TokenValidationParameters.RoleClaimType = NovaBrainClaimTypes.Role;
            });

        services.AddHttpClient<IApiKeyValidator, RemoteApiKeyValidator>().AddServiceClientCredentials();
        builder.AddRedisClient("redis");

        var authorization = services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        foreach (var permission in Permissions.All)
        {
            authorization.AddPolicy(new PermissionMetadata(permission).PolicyName, policy => policy
                .RequireAuthenticatedUser()
                .RequireClaim(NovaBrainClaimTypes.Permission, permission));
        }
        services.AddTransient<IStartupFilter, EndpointAuthorizationCheck>();

        return builder;
    }

    /// <summary>
    /// Calls made with this HttpClient carry this service's own access token (client credentials of
    /// <c>Identity:ClientId</c> / <c>Identity:ClientSecret</c> at <c>{Identity:Authority}/connect/token</c>).
    /// </summary>
    public static IHttpClientBuilder AddServiceClientCredentials(this IHttpClientBuilder builder)
    {
        builder.Services.AddHttpClient(ServiceTokenClient.HttpClientName);
        builder.Services.TryAddSingleton<ServiceTokenClient>();
        builder.Services.TryAddTransient<ServiceClientCredentialsHandler>();
        return builder.AddHttpMessageHandler<ServiceClientCredentialsHandler>();
    }
}
