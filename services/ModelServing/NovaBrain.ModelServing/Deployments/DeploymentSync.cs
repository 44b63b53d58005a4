using System.Text.Json;
using StackExchange.Redis;

namespace NovaBrain.ModelServing.Deployments;

/// <summary>
/// Keeps this replica's deployments as the stored ones: at start-up it deploys every stored spec (in the background: the
/// service is live meanwhile), and afterwards, when another replica announces a change, it applies the stored spec of that
/// deployment: creates it, rolls to it, rolls again to pick up the version an alias now names, or deletes it. Canaries
/// are not stored, so each replica keeps its own.
/// </summary>
public sealed class DeploymentSync(DeploymentStore store, DeploymentManager deployments, ILogger<DeploymentSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<DeploymentSpec> specs;
        try
        {
            // Following first, so no change made while the stored specs load is missed.
            await store.FollowOthersAsync(ApplyAsync);
            specs = await store.ReadAllAsync();
        }
        catch (RedisException exception)
        {
            logger.LogWarning("Stored deployments could not be read, so none were restored or will follow other replicas: {Reason}", exception.Message);
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

    private async Task ApplyAsync(DeploymentChanged change)
    {
        try
        {
            var stored = await store.ReadAsync(change.Name);
            var local = deployments.Find(change.Name);
            if (stored is null)
            {
                if (local is not null && await deployments.DeleteAsync(change.Name))
                {
                    logger.LogInformation("Deployment {Deployment} deleted, as on another replica", change.Name);
                }
                return;
            }
            if (local is null)
            {
                if (deployments.Create(stored) is not null)
                {
                    logger.LogInformation("Deployment {Deployment} created, as on another replica: loading {Model}", change.Name, stored.Model);
                }
                return;
            }

            var (target, loading, served) = local.Read(d => (d.Update?.Spec ?? d.Spec, d.Update is { State: DeploymentState.Loading }, d.Current?.Source.Version));
            var otherVersion = change.ServedVersion is { } version && version != served && !loading;
            if (!DeploymentStore.SameSpec(target, stored) || otherVersion)
            {
                _ = deployments.Update(local, stored);
                logger.LogInformation("Deployment {Deployment} rolls to {Model}, as on another replica", change.Name, stored.Model);
            }
        }
        catch (Exception exception) when (exception is RedisException or JsonException)
        {
            logger.LogWarning("The change another replica made to deployment {Deployment} could not be applied: {Reason}", change.Name, exception.Message);
        }
    }
}
