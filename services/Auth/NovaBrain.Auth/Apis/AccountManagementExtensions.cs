using Microsoft.Extensions.DependencyInjection.Extensions;
using NovaBrain.Auth.ApiKeys;
using NovaBrain.Auth.Roles;
using NovaBrain.Security;

namespace NovaBrain.Auth.Apis;

/// <summary>
/// The account management REST API under <c>/api/auth/v1</c>: the caller's own account, users and service accounts,
/// roles, API keys and client-credentials clients.
/// </summary>
public static class AccountManagementExtensions
{
    /// <summary>
    /// The API's own services. Identity's managers and OpenIddict's are registered with the token server; this needs
    /// them as they are.
    /// </summary>
    public static IHostApplicationBuilder AddAccountManagement(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddScoped<PermissionResolver>();
        builder.Services.AddScoped<StoredApiKeys>();
        // The auth service reads keys from its own database instead of asking itself over HTTP.
        builder.Services.Replace(ServiceDescriptor.Scoped<IApiKeyValidator>(services => services.GetRequiredService<StoredApiKeys>()));
        return builder;
    }

    public static IEndpointRouteBuilder MapAccountManagementApi(this IEndpointRouteBuilder app)
    {
        app.MapMeApi();
        app.MapUsersApi();
        app.MapRolesApi();
        app.MapApiKeysApi();
        app.MapClientsApi();
        return app;
    }
}
