using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every NovaBrain service shares: telemetry, health, discovery, resilience, problem details
/// and OpenAPI. A service calls <see cref="AddServiceDefaults{TBuilder}"/> first and
/// <see cref="MapDefaultEndpoints"/> last.
/// </summary>
public static partial class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddDefaultProblemDetails();
        builder.Services.AddOpenApi();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <param name="app">The service.</param>
    /// <param name="apiPrefix">
    /// The service's segment in <c>/api/{prefix}/...</c>. Its OpenAPI document is served under it
    /// (<c>/api/{prefix}/openapi/v1.json</c>), so the document is reachable through the gateway too.
    /// </param>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, string? apiPrefix = null)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException badRequest
                ? badRequest.StatusCode
                : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapOpenApi(apiPrefix is null ? "/openapi/{documentName}.json" : $"/api/{apiPrefix}/openapi/{{documentName}}.json");
        return app;
    }
}
