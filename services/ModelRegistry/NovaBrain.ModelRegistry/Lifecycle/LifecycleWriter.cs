using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.Contracts.IntegrationEvents.Registry;
using NovaBrain.EventBus.Outbox;
using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Models;
using NovaBrain.ModelRegistry.Versions;

namespace NovaBrain.ModelRegistry.Lifecycle;

/// <summary>How a stage change was asked for.</summary>
public sealed record StageChange(string ToStage, string? Reason, bool ArchiveExisting, bool ConfirmArchiveProduction, string Action, string ChangedBy, string? ApprovedBy = null);

/// <summary>
/// The lifecycle's rules and records: every stage or alias move is checked against the model's rules, appended to
/// its history and announced through the outbox. Called inside <see cref="ModelLocks.WithModelLockedAsync{T}"/>, so
/// the rules see every other move of the same model either finished or not begun.
/// </summary>
public sealed class LifecycleWriter(RegistryContext context, IntegrationEventOutbox<RegistryContext> outbox)
{
    public RegistryContext Context => context;

    /// <summary>A refusal when a rule forbids the change as asked; checked before anything moves.</summary>
    public async Task<ProblemHttpResult?> CheckStageChangeAsync(RegisteredModel model, ModelVersion version, StageChange change, CancellationToken cancellationToken)
    {
        if (version.Stage == change.ToStage)
        {
            return Problems.StageUnchanged(model.Name, version.Version, version.Stage);
        }
        if (version.Stage == ModelStages.Production && change.ToStage == ModelStages.Archived && !change.ConfirmArchiveProduction)
        {
            return Problems.ArchiveProductionUnconfirmed(model.Name, version.Version);
        }
        if (change.ToStage == ModelStages.Production && !model.AllowMultipleProduction && !change.ArchiveExisting &&
            await ProductionHoldersAsync(model, except: version, cancellationToken) is { Count: > 0 } holders)
        {
            return Problems.ProductionOccupied(model.Name, holders.Select(h => h.Version));
        }
        return null;
    }

    /// <summary>Checks the rules, then moves the version (archiving the Production holders it replaces when asked to).</summary>
    public async Task<(List<ModelTransition>? Done, ProblemHttpResult? Refused)> ChangeStageAsync(
        RegisteredModel model, ModelVersion version, StageChange change, CancellationToken cancellationToken)
    {
        if (await CheckStageChangeAsync(model, version, change, cancellationToken) is { } refused)
        {
            return (null, refused);
        }

        var done = new List<ModelTransition>();
        if (change.ToStage == ModelStages.Production && !model.AllowMultipleProduction)
        {
            foreach (var holder in await ProductionHoldersAsync(model, except: version, cancellationToken))
            {
                done.Add(MoveStage(model, holder, change with
                {
                    ToStage = ModelStages.Archived,
                    Action = TransitionActions.Replaced,
                    Reason = $"replaced in Production by version {version.Version}",
                }));
            }
        }
        done.Add(MoveStage(model, version, change));
        return (done, null);
    }

    /// <summary>Moves a version to a stage without checking rules (the caller did), recording and announcing it.</summary>
    public ModelTransition MoveStage(RegisteredModel model, ModelVersion version, StageChange change)
    {
        var transition = new ModelTransition
        {
            ModelId = model.Id,
            Kind = TransitionKinds.Stage,
            Action = change.Action,
            Version = version.Version,
            FromStage = version.Stage,
            ToStage = change.ToStage,
            Reason = change.Reason,
            ChangedBy = change.ChangedBy,
            ApprovedBy = change.ApprovedBy,
            ChangedAt = DateTimeOffset.UtcNow,
        };
        version.Stage = change.ToStage;
        context.ModelTransitions.Add(transition);
        outbox.Add(new ModelVersionStageChanged(
            model.Name, version.Version, transition.FromStage, transition.ToStage, change.Reason, change.ApprovedBy ?? change.ChangedBy));
        return transition;
    }

    /// <summary>Points the alias at <paramref name="target"/> (null removes it), recording and announcing the move.</summary>
    public ModelTransition MoveAlias(
        RegisteredModel model, string alias, ModelAlias? current, ModelVersion? target, string action, string? reason, string changedBy)
    {
        var now = DateTimeOffset.UtcNow;
        var transition = new ModelTransition
        {
            ModelId = model.Id,
            Kind = TransitionKinds.Alias,
            Action = action,
            Alias = alias,
            FromVersion = current?.Version,
            ToVersion = target?.Version,
            Reason = reason,
            ChangedBy = changedBy,
            ChangedAt = now,
        };
        if (target is null)
        {
            context.ModelAliases.Remove(current!);
        }
        else if (current is null)
        {
            context.ModelAliases.Add(new ModelAlias { ModelId = model.Id, Name = alias, VersionId = target.Id, Version = target.Version, UpdatedAt = now });
        }
        else
        {
            (current.VersionId, current.Version, current.UpdatedAt) = (target.Id, target.Version, now);
        }
        context.ModelTransitions.Add(transition);
        outbox.Add(new ModelAliasMoved(model.Name, alias, transition.FromVersion, transition.ToVersion, reason, changedBy));
        return transition;
    }

    public Task<ModelVersion?> FindVersionAsync(RegisteredModel model, int number, CancellationToken cancellationToken) =>
        context.ModelVersions.SingleOrDefaultAsync(v => v.ModelId == model.Id && v.Version == number, cancellationToken);

    private Task<List<ModelVersion>> ProductionHoldersAsync(RegisteredModel model, ModelVersion except, CancellationToken cancellationToken) =>
        context.ModelVersions
            .Where(v => v.ModelId == model.Id && v.Stage == ModelStages.Production && v.Id != except.Id)
            .OrderBy(v => v.Version)
            .ToListAsync(cancellationToken);
}
