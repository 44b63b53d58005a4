using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using NovaBrain.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every NovaBrain service shares: telemetry, health, discovery, resilience, problem details,
/// authentication and authorization, and OpenAPI. A service calls <see cref="AddServiceDefaults{TBuilder}"/>
/// first and <see cref="MapDefaultEndpoints"/> last.
/// </summary>
public static partial class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.AddDefaultProblemDetails();
        builder.AddDefaultAuthentication();
        builder.Services.AddOpenApi(options => options
            .AddDocumentTransformer<SecuritySchemesDocumentTransformer>()
            .AddOperationTransformer<PermissionOperationTransformer>());

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <remarks>
    /// Adds the exception handler, status code pages, authentication and authorization to the pipeline, in
    /// that order; middleware that needs to know the caller is added after this call.
    /// </remarks>
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
        // Inside the status code pages, so a challenge (401) or a refusal (403) leaves as problem details too.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        app.MapOpenApi(apiPrefix is null ? "/openapi/{documentName}.json" : $"/api/{apiPrefix}/openapi/{{documentName}}.json")
            .AllowAnonymous();
        return app;
    }
}
