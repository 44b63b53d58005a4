using OpenIddict.Client;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace NovaBrain.Auth.Account;

/// <summary>An identity provider users may sign in with: <see cref="Name"/> is its URL segment and login-provider key.</summary>
public sealed record ExternalProvider(string Name, string DisplayName);

/// <summary>The external providers configured at start-up.</summary>
public sealed class ExternalProviderCatalog(IReadOnlyList<ExternalProvider> providers)
{
    public IReadOnlyList<ExternalProvider> All { get; } = providers;

    public ExternalProvider? Find(string? name) =>
        All.FirstOrDefault(provider => string.Equals(provider.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// One entry of <c>Auth:ExternalProviders:{name}</c>. <c>GitHub</c>, <c>Google</c> and <c>Microsoft</c> use
/// OpenIddict's built-in integrations (no issuer needed); any other name is a generic OpenID Connect provider.
/// An entry without a client id is ignored.
/// </summary>
public sealed class ExternalProviderSettings
{
    public const string SectionName = "Auth:ExternalProviders";

    public Uri? Issuer { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Absent for a public client (the code exchange is then protected by PKCE alone).</summary>
    public string? ClientSecret { get; set; }

    public string? DisplayName { get; set; }

    /// <summary>Default for generic providers: <c>openid email profile</c>.</summary>
    public List<string> Scopes { get; set; } = [];
}

public static class ExternalLoginRegistration
{
    private static readonly Dictionary<string, string> WebProviders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["github"] = "GitHub",
        ["google"] = "Google",
        ["microsoft"] = "Microsoft",
    };

    /// <summary>
    /// The OpenIddict client that signs users in with the configured providers, each answering at
    /// <c>/callback/login/{name}</c> under the public <paramref name="issuer"/>. Without providers, no client.
    /// </summary>
    public static IServiceCollection AddExternalLogin(this IServiceCollection services, IConfiguration configuration, Uri issuer)
    {
        var configured = configuration.GetSection(ExternalProviderSettings.SectionName).GetChildren()
            .Select(section => (Name: section.Key.ToLowerInvariant(), Settings: section.Get<ExternalProviderSettings>() ?? new()))
            .Where(provider => !string.IsNullOrWhiteSpace(provider.Settings.ClientId))
            .ToArray();
        var providers = configured
            .Select(provider => new ExternalProvider(provider.Name,
                provider.Settings.DisplayName ?? WebProviders.GetValueOrDefault(provider.Name) ?? provider.Name))
            .ToArray();
        services.AddSingleton(new ExternalProviderCatalog(providers));
        if (configured.Length == 0)
        {
            return services;
        }

        services.AddOpenIddict().AddClient(client =>
        {
            client.AllowAuthorizationCodeFlow();
            client.SetRedirectionEndpointUris(providers.Select(provider => CallbackPath(provider.Name)).ToArray());
            client.UseAspNetCore()
                .EnableRedirectionEndpointPassthrough()
                // As for the server: TLS ends at the gateway.
                .DisableTransportSecurityRequirement()
                // Challenges name the client scheme and the provider explicitly; no scheme per provider.
                .DisableAutomaticAuthenticationSchemeForwarding()
                // The correlation cookie is secure when the (forwarded) request is https, not always: a browser would
                // not send back a secure cookie over the platform's plain-HTTP address.
                .Configure(options => options.CookieBuilder.SecurePolicy = CookieSecurePolicy.SameAsRequest);
            client.UseSystemNetHttp().SetProductInformation(typeof(ExternalLoginRegistration).Assembly);

            foreach (var ((name, settings), provider) in configured.Zip(providers))
            {
                var redirectUri = new Uri(issuer, CallbackPath(name));
                switch (name)
                {
                    case "github":
                        client.UseWebProviders().AddGitHub(github => github
                            .SetClientId(settings.ClientId!).SetClientSecret(Required(name, settings.ClientSecret))
                            .SetRedirectUri(redirectUri).SetProviderName(name).SetProviderDisplayName(provider.DisplayName)
                            .AddScopes([.. settings.Scopes]));
                        break;
                    case "google":
                        client.UseWebProviders().AddGoogle(google => google
                            .SetClientId(settings.ClientId!).SetClientSecret(Required(name, settings.ClientSecret))
                            .SetRedirectUri(redirectUri).SetProviderName(name).SetProviderDisplayName(provider.DisplayName)
                            .AddScopes([Scopes.Email, Scopes.Profile, .. settings.Scopes]));
                        break;
                    case "microsoft":
                        client.UseWebProviders().AddMicrosoft(microsoft => microsoft
                            .SetClientId(settings.ClientId!).SetClientSecret(Required(name, settings.ClientSecret))
                            .SetRedirectUri(redirectUri).SetProviderName(name).SetProviderDisplayName(provider.DisplayName)
                            .AddScopes([Scopes.Email, Scopes.Profile, .. settings.Scopes]));
                        break;
                    default:
                        var registration = new OpenIddictClientRegistration
                        {
                            Issuer = settings.Issuer ?? throw new InvalidOperationException(
                                $"{ExternalProviderSettings.SectionName}:{name}:Issuer is required for a generic OpenID Connect provider."),
                            ProviderName = name,
                            ProviderDisplayName = provider.DisplayName,
                            ClientId = settings.ClientId,
                            ClientSecret = settings.ClientSecret,
                            RedirectUri = redirectUri,
                        };
                        registration.Scopes.UnionWith(settings.Scopes.Count > 0 ? settings.Scopes : [Scopes.OpenId, Scopes.Email, Scopes.Profile]);
                        client.AddRegistration(registration);
                        break;
                }
            }
        });
        return services;
    }

    /// <summary>Relative: OpenIddict recognises its redirection endpoint by the request path.</summary>
    private static string CallbackPath(string provider) => $"{ExternalLoginEndpoints.CallbackPath.TrimStart('/')}/{provider}";

    private static string Required(string provider, string? secret) => string.IsNullOrWhiteSpace(secret)
        ? throw new InvalidOperationException($"{ExternalProviderSettings.SectionName}:{provider}:ClientSecret is required.")
        : secret;
}
