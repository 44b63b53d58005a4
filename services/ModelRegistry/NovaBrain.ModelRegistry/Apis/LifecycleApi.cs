using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.References;
using NovaBrain.Security;
using StageResult = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<NovaBrain.ModelRegistry.Apis.StageChangeResponse>,
    Microsoft.AspNetCore.Http.HttpResults.Accepted<NovaBrain.ModelRegistry.Apis.ApprovalResponse>,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;
using AliasResult = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Ok<NovaBrain.ModelRegistry.Apis.AliasResponse>,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;

namespace NovaBrain.ModelRegistry.Apis;

/// <summary>
/// Stages, approvals and aliases: every move is checked against the model's rules, appended to its history (never
/// rewritten; a rollback is one more move) and announced as ModelVersionStageChanged or ModelAliasMoved.
/// </summary>
public static class LifecycleApi
{
    public static RouteGroupBuilder MapLifecycleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/registry/v1/models/{name}").WithTags("Model lifecycle");

        api.MapPost("/versions/{version}/stage", ChangeStage)
            .WithName("ChangeModelVersionStage")
            .WithSummary("Move a version to another stage")
            .WithDescription("At most one Production version unless the model allows several (archiveExisting: true archives the holder); archiving a Production version needs confirmArchiveProduction: true. When the model requires approval, a move to Production answers 202 with an approval request.")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapGet("/approvals", ListApprovals)
            .WithName("ListModelApprovals")
            .WithSummary("A model's approval requests, newest first")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPost("/approvals/{id}/approve", Approve)
            .WithName("ApproveModelPromotion")
            .WithSummary("Approve a pending promotion, which performs it")
            .WithDescription("By someone other than the requester.")
            .RequirePermission(Permissions.ModelsApprove);
        api.MapPost("/approvals/{id}/reject", Reject)
            .WithName("RejectModelPromotion")
            .WithSummary("Reject a pending promotion")
            .RequirePermission(Permissions.ModelsApprove);
        api.MapGet("/aliases", ListAliases)
            .WithName("ListModelAliases")
            .WithSummary("A model's aliases and the versions they point at")
            .RequirePermission(Permissions.ModelsRead);
        api.MapPut("/aliases/{alias}", SetAlias)
            .WithName("SetModelAlias")
            .WithSummary("Point an alias at a version, moving it if it exists")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapDelete("/aliases/{alias}", DeleteAlias)
            .WithName("DeleteModelAlias")
            .WithSummary("Remove an alias")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapPost("/aliases/{alias}/rollback", RollBackAlias)
            .WithName("RollBackModelAlias")
            .WithSummary("Point an alias back at the version it pointed at before its last move")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapPost("/stages/{stage}/rollback", RollBackStage)
            .WithName("RollBackModelStage")
            .WithSummary("Give a stage back to its previous holder")
            .WithDescription("The version holding the stage returns to the stage it came from and the previous holder moves back in; both are recorded as new transitions.")
            .RequirePermission(Permissions.ModelsWrite);
        api.MapGet("/history", GetHistory)
            .WithName("GetModelHistory")
            .WithSummary("Every stage and alias transition of a model, newest first")
            .RequirePermission(Permissions.ModelsRead);

        return api;
    }

    public static async Task<StageResult> ChangeStage(
        string name, string version, StageChangeRequest request, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!RegistryQueries.TryParseVersion(version, out var number))
        {
            return Problems.InvalidVersion(version);
        }
        if (ModelStages.Parse(request.Stage) is not { } stage)
        {
            return Problems.InvalidStage(request.Stage);
        }
        if (ReasonTooLong(request.Reason) is { } invalid)
        {
            return invalid;
        }

        var context = writer.Context;
        var change = new StageChange(stage, request.Reason, request.ArchiveExisting, request.ConfirmArchiveProduction, TransitionActions.Changed, user.Id());
        return await context.WithModelLockedAsync<StageResult>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            if (await writer.FindVersionAsync(model, number, cancellationToken) is not { } found)
            {
                return Problems.VersionNotFound(name, number);
            }

            if (stage == ModelStages.Production && model.RequireApproval)
            {
                if (await writer.CheckStageChangeAsync(model, found, change, cancellationToken) is { } refusedNow)
                {
                    return refusedNow;
                }
                if (await context.ApprovalRequests.AnyAsync(r => r.VersionId == found.Id && r.Status == ApprovalStatuses.Pending, cancellationToken))
                {
                    return NovaBrainProblems.Result("approval-pending", "A promotion of this version awaits approval",
                        $"Version {number} of '{name}' has a pending approval request; approve or reject it first.", StatusCodes.Status409Conflict);
                }
                var pending = new ApprovalRequest
                {
                    Id = Guid.CreateVersion7(),
                    ModelId = model.Id,
                    VersionId = found.Id,
                    Version = number,
                    ToStage = stage,
                    ArchiveExisting = request.ArchiveExisting,
                    Reason = request.Reason,
                    RequestedBy = change.ChangedBy,
                    RequestedAt = DateTimeOffset.UtcNow,
                };
                context.ApprovalRequests.Add(pending);
                await context.SaveChangesAsync(cancellationToken);
                return TypedResults.Accepted(ApprovalLocation(name, pending.Id), ApprovalResponse.From(name, pending));
            }

            var (done, refused) = await writer.ChangeStageAsync(model, found, change, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(await StageChangedAsync(context, model, number, done!, cancellationToken));
        }, cancellationToken);
    }

    public static async Task<Results<Ok<ApprovalResponse[]>, ProblemHttpResult>> ListApprovals(
        string name, RegistryContext context, CancellationToken cancellationToken, string? status = null)
    {
        if (await context.FindModelAsync(name, cancellationToken) is not { } model)
        {
            return Problems.ModelNotFound(name);
        }
        var requests = await context.ApprovalRequests.AsNoTracking()
            .Where(r => r.ModelId == model.Id && (status == null || r.Status == status))
            .OrderByDescending(r => r.RequestedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(requests.Select(r => ApprovalResponse.From(name, r)).ToArray());
    }

    public static async Task<Results<Ok<StageChangeResponse>, ValidationProblem, ProblemHttpResult>> Approve(
        string name, string id, ApprovalDecisionRequest? request, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ReasonTooLong(request?.Comment) is { } invalid)
        {
            return invalid;
        }

        var context = writer.Context;
        var approver = user.Id();
        return await context.WithModelLockedAsync<Results<Ok<StageChangeResponse>, ValidationProblem, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            var (pending, problem) = await FindPendingAsync(context, model.Id, name, id, cancellationToken);
            if (pending is null)
            {
                return problem!;
            }
            if (pending.RequestedBy == approver)
            {
                return Problems.SelfApproval();
            }

            var version = await context.ModelVersions.SingleAsync(v => v.Id == pending.VersionId, cancellationToken);
            var change = new StageChange(pending.ToStage, pending.Reason, pending.ArchiveExisting, ConfirmArchiveProduction: false,
                TransitionActions.Approved, pending.RequestedBy, approver);
            var (done, refused) = await writer.ChangeStageAsync(model, version, change, cancellationToken);
            if (refused is not null)
            {
                return refused;
            }
            (pending.Status, pending.DecidedBy, pending.DecidedAt, pending.Comment) = (ApprovalStatuses.Approved, approver, DateTimeOffset.UtcNow, request?.Comment);
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(await StageChangedAsync(context, model, version.Version, done!, cancellationToken));
        }, cancellationToken);
    }

    public static async Task<Results<Ok<ApprovalResponse>, ValidationProblem, ProblemHttpResult>> Reject(
        string name, string id, ApprovalDecisionRequest? request, RegistryContext context, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ReasonTooLong(request?.Comment) is { } invalid)
        {
            return invalid;
        }

        return await context.WithModelLockedAsync<Results<Ok<ApprovalResponse>, ValidationProblem, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            var (pending, problem) = await FindPendingAsync(context, model.Id, name, id, cancellationToken);
            if (pending is null)
            {
                return problem!;
            }
            (pending.Status, pending.DecidedBy, pending.DecidedAt, pending.Comment) = (ApprovalStatuses.Rejected, user.Id(), DateTimeOffset.UtcNow, request?.Comment);
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(ApprovalResponse.From(name, pending));
        }, cancellationToken);
    }

    public static async Task<Results<Ok<AliasResponse[]>, ProblemHttpResult>> ListAliases(
        string name, RegistryContext context, CancellationToken cancellationToken)
    {
        if (await context.FindModelAsync(name, cancellationToken) is not { } model)
        {
            return Problems.ModelNotFound(name);
        }
        var aliases = await context.ModelAliases.AsNoTracking().Where(a => a.ModelId == model.Id).OrderBy(a => a.Name).ToListAsync(cancellationToken);
        return TypedResults.Ok(aliases.Select(a => new AliasResponse(name, a.Name, a.Version, a.UpdatedAt)).ToArray());
    }

    public static async Task<AliasResult> SetAlias(
        string name, string alias, SetAliasRequest request, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!ModelReference.IsAliasName(alias))
        {
            return Problems.InvalidAlias(alias);
        }
        if (request.Version < 1)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["version"] = ["A version number is 1 or more."] });
        }
        if (ReasonTooLong(request.Reason) is { } invalid)
        {
            return invalid;
        }

        var context = writer.Context;
        return await context.WithModelLockedAsync<AliasResult>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            if (await writer.FindVersionAsync(model, request.Version, cancellationToken) is not { } target)
            {
                return Problems.VersionNotFound(name, request.Version);
            }
            var current = await context.ModelAliases.SingleOrDefaultAsync(a => a.ModelId == model.Id && a.Name == alias, cancellationToken);
            if (current?.VersionId != target.Id)
            {
                writer.MoveAlias(model, alias, current, target, TransitionActions.Changed, request.Reason, user.Id());
                await context.SaveChangesAsync(cancellationToken);
            }
            return TypedResults.Ok(await AliasAsync(context, model.Id, name, alias, cancellationToken));
        }, cancellationToken);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAlias(
        string name, string alias, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken, string? reason = null)
    {
        var context = writer.Context;
        return await context.WithModelLockedAsync<Results<NoContent, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            if (await context.ModelAliases.SingleOrDefaultAsync(a => a.ModelId == model.Id && a.Name == alias, cancellationToken) is not { } current)
            {
                return Problems.AliasNotFound(name, alias);
            }
            writer.MoveAlias(model, alias, current, target: null, TransitionActions.Changed, reason, user.Id());
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.NoContent();
        }, cancellationToken);
    }

    public static async Task<AliasResult> RollBackAlias(
        string name, string alias, RollbackRequest? request, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ReasonTooLong(request?.Reason) is { } invalid)
        {
            return invalid;
        }

        var context = writer.Context;
        return await context.WithModelLockedAsync<AliasResult>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }
            var last = await context.ModelTransitions.AsNoTracking()
                .Where(t => t.ModelId == model.Id && t.Kind == TransitionKinds.Alias && t.Alias == alias)
                .OrderByDescending(t => t.Id)
                .FirstOrDefaultAsync(cancellationToken);
            if (last is null)
            {
                return Problems.AliasNotFound(name, alias);
            }
            if (last.FromVersion is not { } previous || await writer.FindVersionAsync(model, previous, cancellationToken) is not { } target)
            {
                return Problems.NothingToRollBack(name, $"Alias '{alias}'");
            }
            var current = await context.ModelAliases.SingleOrDefaultAsync(a => a.ModelId == model.Id && a.Name == alias, cancellationToken);
            writer.MoveAlias(model, alias, current, target, TransitionActions.RolledBack, request?.Reason, user.Id());
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(await AliasAsync(context, model.Id, name, alias, cancellationToken));
        }, cancellationToken);
    }

    public static async Task<Results<Ok<TransitionResponse[]>, ValidationProblem, ProblemHttpResult>> RollBackStage(
        string name, string stage, RollbackRequest? request, LifecycleWriter writer, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (ModelStages.Parse(stage) is not { } parsed)
        {
            return Problems.InvalidStage(stage);
        }
        if (ReasonTooLong(request?.Reason) is { } invalid)
        {
            return invalid;
        }

        var context = writer.Context;
        return await context.WithModelLockedAsync<Results<Ok<TransitionResponse[]>, ValidationProblem, ProblemHttpResult>>(name, async model =>
        {
            if (model is null)
            {
                return Problems.ModelNotFound(name);
            }

            // Every arrival in the stage, newest first: the newest whose version is still there is the holder, the
            // next one of another version that has since left is the previous holder.
            var arrivals = await context.ModelTransitions.AsNoTracking()
                .Where(t => t.ModelId == model.Id && t.Kind == TransitionKinds.Stage && t.ToStage == parsed)
                .OrderByDescending(t => t.Id)
                .ToListAsync(cancellationToken);
            var versions = await context.ModelVersions.Where(v => v.ModelId == model.Id).ToDictionaryAsync(v => v.Version, cancellationToken);
            var holderArrival = arrivals.FirstOrDefault(t => versions.GetValueOrDefault(t.Version!.Value)?.Stage == parsed);
            var previous = arrivals
                .SkipWhile(t => holderArrival is not null && t.Id >= holderArrival.Id)
                .Select(t => versions.GetValueOrDefault(t.Version!.Value))
                .FirstOrDefault(v => v is not null && v.Stage != parsed && v.Version != holderArrival?.Version);
            if (previous is null)
            {
                return Problems.NothingToRollBack(name, $"Stage {parsed}");
            }

            var caller = user.Id();
            var done = new List<ModelTransition>();
            if (holderArrival is not null)
            {
                done.Add(writer.MoveStage(model, versions[holderArrival.Version!.Value],
                    new StageChange(holderArrival.FromStage!, request?.Reason, false, true, TransitionActions.RolledBack, caller)));
            }
            done.Add(writer.MoveStage(model, previous, new StageChange(parsed, request?.Reason, false, true, TransitionActions.RolledBack, caller)));
            await context.SaveChangesAsync(cancellationToken);
            return TypedResults.Ok(done.Select(TransitionResponse.From).ToArray());
        }, cancellationToken);
    }

    public static async Task<Results<Ok<TransitionResponse[]>, ProblemHttpResult>> GetHistory(
        string name, RegistryContext context, CancellationToken cancellationToken)
    {
        if (await context.FindModelAsync(name, cancellationToken) is not { } model)
        {
            return Problems.ModelNotFound(name);
        }
        var transitions = await context.ModelTransitions.AsNoTracking()
            .Where(t => t.ModelId == model.Id)
            .OrderByDescending(t => t.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(transitions.Select(TransitionResponse.From).ToArray());
    }

    private static async Task<StageChangeResponse> StageChangedAsync(
        RegistryContext context, Models.RegisteredModel model, int version, List<ModelTransition> done, CancellationToken cancellationToken) =>
        new((await context.VersionResponseAsync(model, version, cancellationToken))!, done.Select(TransitionResponse.From).ToArray());

    private static async Task<AliasResponse> AliasAsync(RegistryContext context, Guid modelId, string name, string alias, CancellationToken cancellationToken)
    {
        var row = await context.ModelAliases.AsNoTracking().SingleAsync(a => a.ModelId == modelId && a.Name == alias, cancellationToken);
        return new AliasResponse(name, row.Name, row.Version, row.UpdatedAt);
    }

    private static async Task<(ApprovalRequest? Request, ProblemHttpResult? Problem)> FindPendingAsync(
        RegistryContext context, Guid modelId, string name, string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var requestId) ||
            await context.ApprovalRequests.SingleOrDefaultAsync(r => r.Id == requestId && r.ModelId == modelId, cancellationToken) is not { } request)
        {
            return (null, Problems.ApprovalNotFound(name, id));
        }
        return request.Status == ApprovalStatuses.Pending ? (request, null) : (null, Problems.ApprovalDecided(request.Id, request.Status));
    }

    private static ValidationProblem? ReasonTooLong(string? reason) => reason is { Length: > ModelTransition.ReasonMaxLength }
        ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = [$"A reason is at most {ModelTransition.ReasonMaxLength} characters."] })
        : null;

    private static string ApprovalLocation(string name, Guid id) => $"/api/registry/v1/models/{Uri.EscapeDataString(name)}/approvals/{id}";
}

public sealed record StageChangeRequest(string? Stage, string? Reason = null, bool ArchiveExisting = false, bool ConfirmArchiveProduction = false);

public sealed record ApprovalDecisionRequest(string? Comment = null);

public sealed record SetAliasRequest(int Version, string? Reason = null);

public sealed record RollbackRequest(string? Reason = null);
