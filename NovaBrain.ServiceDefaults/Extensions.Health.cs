using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

public static partial class Extensions
{
    /// <summary>Tag of the checks that say whether the process itself is alive (not its dependencies).</summary>
    public const string LiveHealthTag = "live";

    private static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveHealthTag]);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c> runs the liveness checks only; <c>/health/ready</c> runs every check, each
    /// real dependency of the service among them, and is 200 only when all are healthy. Both answer
    /// JSON: the overall status and each check's status by name.
    /// </summary>
    private static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        var health = app.MapGroup("/health").AllowAnonymous().ExcludeFromDescription();
        health.MapHealthChecks("/live", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveHealthTag),
            ResponseWriter = WriteHealthReportAsync,
        });
        health.MapHealthChecks("/ready", new HealthCheckOptions { ResponseWriter = WriteHealthReportAsync });
        return app;
    }

    private static Task WriteHealthReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new HealthReportBody(
            report.Status.ToString(),
            report.Entries.ToDictionary(entry => entry.Key, entry => entry.Value.Status.ToString()));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJson, context.RequestAborted);
    }

    private static readonly JsonSerializerOptions HealthJson = new(JsonSerializerDefaults.Web);

    private sealed record HealthReportBody(string Status, IReadOnlyDictionary<string, string> Checks);
}
