using System.Globalization;
using System.Security.Claims;
using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using NovaBrain.EventBus.Outbox;
using NovaBrain.Grpc;
using NovaBrain.ModelRegistry.Apis;
using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lifecycle;
using NovaBrain.ModelRegistry.Validation;
using NovaBrain.ModelRegistry.Versions;
using NovaBrain.Security;

namespace NovaBrain.ModelRegistry.Grpc;

/// <summary>
/// novabrain.registry.v1.ModelRegistry: each method calls the REST handler of the same operation, so both APIs apply
/// the same rules, record the same history and publish the same events; only the shapes differ.
/// </summary>
internal sealed class ModelRegistryService(
    RegistryContext context,
    IntegrationEventOutbox<RegistryContext> outbox,
    LifecycleWriter writer,
    OnnxValidator validator,
    ArtifactStore store,
    IOptions<ArtifactOptions> artifactOptions) : ModelRegistry.ModelRegistryBase
{
    private VersionServices VersionServices => new(context, outbox, validator, store, artifactOptions);

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<RegisteredModel> CreateModel(CreateModelRequest request, ServerCallContext call)
    {
        var create = new CreateRegisteredModelRequest(
            request.Name,
            request.HasDescription ? request.Description : null,
            new Dictionary<string, string>(request.Tags),
            request.HasRequireApproval ? request.RequireApproval : null,
            request.HasAllowMultipleProduction ? request.AllowMultipleProduction : null);
        var result = await RegisteredModelsApi.CreateModel(create, context, outbox, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<RegisteredModelResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<RegisteredModel> GetModel(GetModelRequest request, ServerCallContext call)
    {
        var result = await RegisteredModelsApi.GetModel(request.Name, context, call.CancellationToken);
        return RestRpc.ValueOf<RegisteredModelResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext call)
    {
        var models = RestRpc.ValueOf<RegisteredModelResponse[]>(await RegisteredModelsApi.ListModels(context, call.CancellationToken));
        return new ListModelsResponse { Models = { models.Select(model => model.ToMessage()) } };
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<ModelVersion> RegisterVersion(IAsyncStreamReader<RegisterVersionRequest> requests, ServerCallContext call)
    {
        var cancellationToken = call.CancellationToken;
        if (!await requests.MoveNext(cancellationToken) || requests.Current.PartCase != RegisterVersionRequest.PartOneofCase.Header)
        {
            throw RestRpc.Refusal(ArtifactChunkStream.HeaderOnlyFirst());
        }
        var header = requests.Current.Header;

        // An unknown model is refused before its artifact is received, as the REST upload is.
        RestRpc.ValueOf<RegisteredModelResponse>((await RegisteredModelsApi.GetModel(header.Model, context, cancellationToken)).Result);

        var (upload, refused) = await ArtifactUpload.ReceiveAsync(
            new ArtifactChunkStream(requests), header.Metadata.ToDomain(), artifactOptions.Value, cancellationToken);
        if (refused is not null)
        {
            throw RestRpc.Refusal(refused);
        }
        using (upload)
        {
            var result = await ModelVersionsApi.RegisterUploadAsync(header.Model, upload!, VersionServices, Caller(call), cancellationToken);
            return RestRpc.ValueOf<ModelVersionResponse>(result.Result).ToMessage();
        }
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<ModelVersion> GetVersion(GetVersionRequest request, ServerCallContext call)
    {
        var result = await ModelVersionsApi.GetVersion(request.Model, Number(request.Version), context, call.CancellationToken);
        return RestRpc.ValueOf<ModelVersionResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<ListVersionsResponse> ListVersions(ListVersionsRequest request, ServerCallContext call)
    {
        var result = await ModelVersionsApi.ListVersions(request.Model, context, call.CancellationToken);
        return new ListVersionsResponse { Versions = { RestRpc.ValueOf<ModelVersionResponse[]>(result.Result).Select(version => version.ToMessage()) } };
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<DeleteVersionResponse> DeleteVersion(DeleteVersionRequest request, ServerCallContext call)
    {
        var result = await ModelVersionsApi.DeleteVersion(request.Model, Number(request.Version), VersionServices, Caller(call), call.CancellationToken);
        RestRpc.Succeeded(result.Result);
        return new DeleteVersionResponse();
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<ResolvedReference> Resolve(ResolveRequest request, ServerCallContext call)
    {
        var result = await ResolveApi.Resolve(request.Reference, context, call.CancellationToken);
        return RestRpc.ValueOf<Apis.ResolvedReference>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<SetStageResponse> SetStage(SetStageRequest request, ServerCallContext call)
    {
        var change = new StageChangeRequest(
            request.Stage, request.HasReason ? request.Reason : null, request.ArchiveExisting, request.ConfirmArchiveProduction);
        var result = await LifecycleApi.ChangeStage(request.Model, Number(request.Version), change, writer, Caller(call), call.CancellationToken);
        return result.Result switch
        {
            Ok<StageChangeResponse> { Value: { } changed } => new SetStageResponse { Changed = changed.ToMessage() },
            Accepted<ApprovalResponse> { Value: { } approval } => new SetStageResponse { ApprovalRequested = approval.ToMessage() },
            var refused => throw RestRpc.Refusal(refused),
        };
    }

    [RequirePermission(Permissions.ModelsApprove)]
    public override async Task<StageChange> ApproveRequest(ApprovalDecision request, ServerCallContext call)
    {
        var result = await LifecycleApi.Approve(request.Model, request.ApprovalId, Decision(request), writer, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<StageChangeResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsApprove)]
    public override async Task<Approval> RejectRequest(ApprovalDecision request, ServerCallContext call)
    {
        var result = await LifecycleApi.Reject(request.Model, request.ApprovalId, Decision(request), context, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<ApprovalResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<Alias> SetAlias(SetAliasRequest request, ServerCallContext call)
    {
        var move = new Apis.SetAliasRequest(request.Version, request.HasReason ? request.Reason : null);
        var result = await LifecycleApi.SetAlias(request.Model, request.Alias, move, writer, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<AliasResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<DeleteAliasResponse> DeleteAlias(DeleteAliasRequest request, ServerCallContext call)
    {
        var result = await LifecycleApi.DeleteAlias(
            request.Model, request.Alias, writer, Caller(call), call.CancellationToken, request.HasReason ? request.Reason : null);
        RestRpc.Succeeded(result.Result);
        return new DeleteAliasResponse();
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<Alias> RollbackAlias(RollbackAliasRequest request, ServerCallContext call)
    {
        var result = await LifecycleApi.RollBackAlias(
            request.Model, request.Alias, new RollbackRequest(request.HasReason ? request.Reason : null), writer, Caller(call), call.CancellationToken);
        return RestRpc.ValueOf<AliasResponse>(result.Result).ToMessage();
    }

    [RequirePermission(Permissions.ModelsWrite)]
    public override async Task<RollbackStageResponse> RollbackStage(RollbackStageRequest request, ServerCallContext call)
    {
        var result = await LifecycleApi.RollBackStage(
            request.Model, request.Stage, new RollbackRequest(request.HasReason ? request.Reason : null), writer, Caller(call), call.CancellationToken);
        return new RollbackStageResponse { Transitions = { RestRpc.ValueOf<TransitionResponse[]>(result.Result).Select(t => t.ToMessage()) } };
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<GetHistoryResponse> GetHistory(GetHistoryRequest request, ServerCallContext call)
    {
        var result = await LifecycleApi.GetHistory(request.Model, context, call.CancellationToken);
        return new GetHistoryResponse { Transitions = { RestRpc.ValueOf<TransitionResponse[]>(result.Result).Select(t => t.ToMessage()) } };
    }

    [RequirePermission(Permissions.ModelsRead)]
    public override async Task<LineageGraph> GetLineage(GetLineageRequest request, ServerCallContext call)
    {
        var result = request switch
        {
            { HasDirection: true, HasDepth: true } => await LineageApi.GetLineage(
                request.Model, Number(request.Version), context, call.CancellationToken, request.Direction, request.Depth),
            { HasDirection: true } => await LineageApi.GetLineage(request.Model, Number(request.Version), context, call.CancellationToken, request.Direction),
            { HasDepth: true } => await LineageApi.GetLineage(request.Model, Number(request.Version), context, call.CancellationToken, depth: request.Depth),
            _ => await LineageApi.GetLineage(request.Model, Number(request.Version), context, call.CancellationToken),
        };
        return RestRpc.ValueOf<Lineage.LineageGraph>(result.Result).ToMessage();
    }

    private static ClaimsPrincipal Caller(ServerCallContext call) => call.GetHttpContext().User;

    /// <summary>The handlers take the version as the route segment it is in REST, and parse and check it there.</summary>
    private static string Number(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static ApprovalDecisionRequest Decision(ApprovalDecision request) => new(request.HasComment ? request.Comment : null);
}
