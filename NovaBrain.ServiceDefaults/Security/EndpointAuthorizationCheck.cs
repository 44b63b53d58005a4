using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace NovaBrain.Security;

/// <summary>
/// Refuses to start a service with an endpoint that does not say who may call it: each must carry a
/// permission (<c>RequirePermission</c>), authorization (<c>RequireAuthorization</c>) or <c>AllowAnonymous</c>.
/// Runs once the request pipeline, and with it every endpoint, is built.
/// </summary>
internal sealed class EndpointAuthorizationCheck : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);

        var undeclared = app.ApplicationServices.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(endpoint => !Declares(endpoint.Metadata))
            .Select(endpoint => endpoint.DisplayName ?? endpoint.ToString())
            .ToList();
        if (undeclared.Count > 0)
        {
            throw new InvalidOperationException(
                "Every endpoint must declare who may call it (RequirePermission, RequireAuthorization or AllowAnonymous); " +
                $"these do not: {string.Join("; ", undeclared)}");
        }
    };

    private static bool Declares(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<IAllowAnonymous>() is not null ||
        metadata.GetMetadata<IAuthorizeData>() is not null ||
        metadata.GetMetadata<AuthorizationPolicy>() is not null ||
        metadata.GetMetadata<PermissionMetadata>() is not null;
}
