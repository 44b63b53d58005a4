using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace NovaBrain.AppHost.Infrastructure;

/// <summary>A health check that is healthy when <paramref name="probe"/> completes, i.e. the server answered.</summary>
public sealed class ServerHealthCheck(Func<CancellationToken, Task> probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await probe(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception.Message, exception);
        }
    }
}

public static class ServerHealthCheckExtensions
{
    /// <summary>Registers a <see cref="ServerHealthCheck"/> keyed by the resource and associates it with the resource.</summary>
    public static IResourceBuilder<T> WithServerHealthCheck<T>(this IResourceBuilder<T> builder, Func<T, CancellationToken, Task> probe)
        where T : IResource
    {
        var key = $"{builder.Resource.Name}_check";
        var resource = builder.Resource;
        builder.ApplicationBuilder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration(key, _ => new ServerHealthCheck(ct => probe(resource, ct)), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
