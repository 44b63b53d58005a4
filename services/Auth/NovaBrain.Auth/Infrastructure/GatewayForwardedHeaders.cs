using Microsoft.AspNetCore.HttpOverrides;

namespace NovaBrain.Auth.Infrastructure;

/// <summary>
/// Browsers reach the auth service through the gateway, which passes on the address they used in
/// <c>X-Forwarded-Host</c> and <c>X-Forwarded-Proto</c>. Taken as the request's own, first thing in the pipeline,
/// they let the external-login callback match the public redirect URI it was sent to, and make cookies secure when
/// the public address is https.
/// </summary>
internal sealed class GatewayForwardedHeaders : IStartupFilter
{
    public static void Configure(ForwardedHeadersOptions options)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto;
        // The gateway's address is not known in advance, and only the platform's own network reaches the service.
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
    }

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.UseForwardedHeaders();
        next(app);
    };
}
