using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NovaBrain.Gateway.Readiness;

/// <summary>A service is ready when its own <c>/health/ready</c> answers 200 in time.</summary>
public sealed class ServiceReadinessCheck(IHttpClientFactory httpClientFactory, string service) : IHealthCheck
{
    public const string HttpClientName = "service-readiness";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var client = httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync($"http://{service}/health/ready", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"{service} answered {(int)response.StatusCode}");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"{service} did not answer", exception);
        }
    }
}
