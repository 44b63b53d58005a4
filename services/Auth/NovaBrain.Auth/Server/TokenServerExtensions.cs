using Microsoft.Extensions.Options;
using NovaBrain.Auth.Infrastructure;
using NovaBrain.Auth.SigningKeys;
using OpenIddict.Client;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Server;

public static class TokenServerExtensions
{
    /// <summary>
    /// OpenIddict's token server on the auth database: password, client-credentials, refresh-token and
    /// authorization-code (PKCE required) grants; signed, unencrypted JWT access tokens; keys from the key ring.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="issuer">The public address tokens name as their issuer (<c>Identity:Issuer</c>).</param>
    public static IServiceCollection AddTokenServer(this IServiceCollection services, Uri issuer)
    {
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SigningKeyOptions>().BindConfiguration(SigningKeyOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService<SigningKeyLoader>();
        services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, KeyRingCredentials>();
        services.AddSingleton<IConfigureOptions<OpenIddictClientOptions>, KeyRingCredentials>();
        services.AddSingleton(provider => new LocalTokenValidationConfiguration(provider.GetRequiredService<SigningKeyRing>(), issuer));
        services.AddScoped<TokenPrincipals>();

        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthContext>())
            .AddServer(server =>
            {
                server.SetIssuer(issuer)
                    .SetConfigurationEndpointUris(Relative(ConnectEndpoints.ConfigurationPath))
                    .SetJsonWebKeySetEndpointUris(Relative(ConnectEndpoints.JwksPath))
                    .SetTokenEndpointUris(Relative(ConnectEndpoints.TokenPath))
                    .SetAuthorizationEndpointUris(Relative(ConnectEndpoints.AuthorizationPath))
                    .SetIntrospectionEndpointUris(Relative(ConnectEndpoints.IntrospectionPath))
                    .SetRevocationEndpointUris(Relative(ConnectEndpoints.RevocationPath))
                    .SetUserInfoEndpointUris(Relative(ConnectEndpoints.UserInfoPath))
                    .SetEndSessionEndpointUris(Relative(ConnectEndpoints.EndSessionPath));

                server.AllowPasswordFlow()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow()
                    .AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange();
                // S256 only: "plain" would hand the verifier to whoever sees the authorization request.
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));

                server.RegisterScopes([.. ApiScopes.All]);

                // Resource servers validate plain signed JWTs with JwtBearer and the published JWKS.
                server.DisableAccessTokenEncryption();
                // A refresh token works once: presenting a spent one revokes every token of its authorization.
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);

                // OpenIddict lets only a token's presenter or audience introspect it, and our audiences are APIs
                // (novabrain-{prefix}), not client ids: no service could introspect a user's token. Who may introspect
                // is decided by the introspection endpoint permission of the (confidential) client instead.
                server.RemoveEventHandler(OpenIddictServerHandlers.Introspection.ValidateAuthorizedParty.Descriptor);

                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    // TLS ends at the gateway; the gateway and the services reach this one over plain HTTP.
                    .DisableTransportSecurityRequirement();
            });

        services.AddOptions<OpenIddictServerOptions>().Configure<IOptions<TokenOptions>>((server, tokens) =>
        {
            server.AccessTokenLifetime = tokens.Value.AccessTokenLifetime;
            server.RefreshTokenLifetime = tokens.Value.RefreshTokenLifetime;
        });
        return services;
    }

    private static string Relative(string path) => path.TrimStart('/');
}
