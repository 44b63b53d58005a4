using NovaBrain.Contracts.IntegrationEvents.Registry;
using NovaBrain.EventBus.Abstractions;
using NovaBrain.ModelServing.Deployments;

namespace NovaBrain.ModelServing.IntegrationEvents.EventHandling;

/// <summary>
/// A deployment of <c>models:/name@alias</c> follows its alias: when the alias moves to another version, the deployment
/// resolves it again and rolls to that version. Seeing the event twice is harmless: a deployment already serving the
/// version is left alone.
/// </summary>
public sealed class ModelAliasMovedHandler(DeploymentManager deployments, ILogger<ModelAliasMovedHandler> logger)
    : IIntegrationEventHandler<ModelAliasMoved>
{
    public Task HandleAsync(ModelAliasMoved @event, CancellationToken cancellationToken)
    {
        if (@event.ToVersion is not { } version)
        {
            return Task.CompletedTask;
        }
        foreach (var deployment in deployments.Following($"models:/{@event.Model}@{@event.Alias}"))
        {
            if (deployment.Current?.Source.Version != version)
            {
                logger.LogInformation("Deployment {Deployment} follows {Model}@{Alias} to version {Version}", deployment.Name, @event.Model, @event.Alias, version);
                _ = deployments.Update(deployment, deployment.Read(d => d.Spec));
            }
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// A deployment of <c>models:/name/Stage</c> follows the stage: a version entering it, or the serving version leaving it,
/// makes the deployment resolve the stage again and roll to the version it names now.
/// </summary>
public sealed class ModelVersionStageChangedHandler(DeploymentManager deployments, ILogger<ModelVersionStageChangedHandler> logger)
    : IIntegrationEventHandler<ModelVersionStageChanged>
{
    public Task HandleAsync(ModelVersionStageChanged @event, CancellationToken cancellationToken)
    {
        var entered = deployments.Following($"models:/{@event.Model}/{@event.ToStage}")
            .Where(deployment => deployment.Current?.Source.Version != @event.Version);
        var left = deployments.Following($"models:/{@event.Model}/{@event.FromStage}")
            .Where(deployment => deployment.Current?.Source.Version == @event.Version);
        foreach (var deployment in entered.Concat(left))
        {
            logger.LogInformation("Deployment {Deployment} follows {Reference} after version {Version} moved from {From} to {To}",
                deployment.Name, deployment.Read(d => d.Spec.Model), @event.Version, @event.FromStage, @event.ToStage);
            _ = deployments.Update(deployment, deployment.Read(d => d.Spec));
        }
        return Task.CompletedTask;
    }
}
