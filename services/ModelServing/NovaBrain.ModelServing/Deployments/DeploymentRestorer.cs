using StackExchange.Redis;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>At start-up, deploys again every deployment stored by an earlier run of the service (in the background: the service is live meanwhile).</summary>
public sealed class DeploymentRestorer(DeploymentStore store, DeploymentManager deployments, ILogger<DeploymentRestorer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<DeploymentSpec> specs;
        try
        {
            specs = await store.ReadAllAsync();
        }
        catch (RedisException exception)
        {
            logger.LogWarning("Stored deployments could not be read, so none were restored: {Reason}", exception.Message);
            return;
        }
        foreach (var spec in specs)
        {
            if (!stoppingToken.IsCancellationRequested && deployments.Create(spec) is not null)
            {
                logger.LogInformation("Deployment {Deployment} restored: loading {Model}", spec.Name, spec.Model);
            }
        }
    }
}
