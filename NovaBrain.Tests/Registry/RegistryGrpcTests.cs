using System.Globalization;
using System.Security.Cryptography;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using NovaBrain.ModelRegistry.Grpc;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using ModelRegistryClient = NovaBrain.ModelRegistry.Grpc.ModelRegistry.ModelRegistryClient;

namespace NovaBrain.Tests.Registry;

/// <summary>The registry's gRPC service (novabrain.registry.v1.ModelRegistry) through the gateway's gRPC port.</summary>
[TestClass]
public sealed class RegistryGrpcTests
{
    /// <summary>Small enough that a test model arrives in several chunks.</summary>
    private const int ChunkBytes = 16 * 1024;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task RegisterVersion_StreamedInChunks_IsValidated_AndAnswersItsSignature()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var channel = Channel(system);
        var registry = Client(channel, token);
        var name = await CreateModelAsync(registry);
        var file = RegistryClient.Mlp(seed: 11);
        Assert.IsGreaterThan(ChunkBytes * 2, file.Length, "the file travels in several chunks");

        var version = await RegisterAsync(registry, name, file, new VersionMetadata
        {
            Format = "onnx",
            Description = "over gRPC",
            Tags = { ["team"] = "vision" },
            Metrics = { ["accuracy"] = 0.91 },
        });

        Assert.AreEqual((name, 1, "onnx", "None", "over gRPC"), (version.Model, version.Version, version.Format, version.Stage, version.Description));
        Assert.AreEqual("input FP32 [-1,784]", Describe(version.Signature.Inputs.Single()));
        Assert.AreEqual("output FP32 [-1,10]", Describe(version.Signature.Outputs.Single()));
        Assert.AreEqual(("passed", 17L, "CPUExecutionProvider"), (version.Validation.Status, version.Validation.Opset, version.Validation.ExecutionProvider));
        Assert.AreEqual("sha256:" + Convert.ToHexStringLower(SHA256.HashData(file)), version.Artifact.Digest);
        Assert.AreEqual(file.Length, version.Artifact.SizeBytes);
        Assert.AreEqual(("vision", 0.91), (version.Tags["team"], version.Metrics["accuracy"]));
        Assert.AreEqual(RegistryClient.SubjectOf(token), version.CreatedBy);

        var reread = await registry.GetVersionAsync(new GetVersionRequest { Model = name, Version = 1 }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(version.Signature, reread.Signature);
        Assert.AreEqual(version.Artifact, reread.Artifact);
        var listed = await registry.ListVersionsAsync(new ListVersionsRequest { Model = name }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(1, listed.Versions.Single().Version);
        var model = await registry.GetModelAsync(new GetModelRequest { Name = name }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual((1, RegistryClient.SubjectOf(token)), (model.LatestVersion, model.Owner));

        // The REST API reads the same version.
        using var rest = system.CreateGatewayClient(token);
        var overRest = await rest.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/1");
        Assert.AreEqual(version.Artifact.Digest, overRest.Artifact.Digest);

        var taken = await AssertRefusedAsync(
            registry.CreateModelAsync(new CreateModelRequest { Name = name }, cancellationToken: TestContext.CancellationToken),
            StatusCode.AlreadyExists, "model-name-taken");
        StringAssert.Contains(taken.Status.Detail, name);
    }

    [TestMethod]
    public async Task Resolve_AnswersAVersionForEachReferenceForm()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var registry = Client(channel, await system.AdminTokenAsync());
        var name = await CreateModelAsync(registry);
        await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 1));
        await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 2));
        await registry.SetStageAsync(new SetStageRequest { Model = name, Version = 1, Stage = "Staging" }, cancellationToken: TestContext.CancellationToken);
        await registry.SetAliasAsync(new SetAliasRequest { Model = name, Alias = "champion", Version = 2 }, cancellationToken: TestContext.CancellationToken);

        var byVersion = await ResolveAsync(registry, $"models:/{name}/1");
        var byAlias = await ResolveAsync(registry, $"models:/{name}@champion");
        var byStage = await ResolveAsync(registry, $"models:/{name}/Staging");

        Assert.AreEqual((1, "Staging"), (byVersion.Version, byVersion.Stage));
        Assert.AreEqual(2, byAlias.Version);
        CollectionAssert.AreEqual(new[] { "champion" }, byAlias.Aliases.ToArray());
        Assert.AreEqual(1, byStage.Version);
        Assert.AreEqual("input FP32 [-1,784]", Describe(byStage.Signature.Inputs.Single()));
        await AssertRefusedAsync(
            registry.ResolveAsync(new ResolveRequest { Reference = $"models:/{name}/Production" }, cancellationToken: TestContext.CancellationToken),
            StatusCode.NotFound, "model-reference-not-found");
        await AssertRefusedAsync(
            registry.ResolveAsync(new ResolveRequest { Reference = "not-a-reference" }, cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "invalid-model-reference");
    }

    [TestMethod]
    public async Task StagesAndAliases_MoveRollBackAndLeaveTheirHistory()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var registry = Client(channel, await system.AdminTokenAsync());
        var name = await CreateModelAsync(registry);
        await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 1));
        await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 2));

        var first = await registry.SetStageAsync(
            new SetStageRequest { Model = name, Version = 1, Stage = "Production", Reason = "go live" }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual("Production", first.Changed.Version.Stage);
        var occupied = await AssertRefusedAsync(
            registry.SetStageAsync(new SetStageRequest { Model = name, Version = 2, Stage = "Production" }, cancellationToken: TestContext.CancellationToken),
            StatusCode.FailedPrecondition, "production-occupied");
        StringAssert.Contains(occupied.Status.Detail, "version 1");
        var replaced = await registry.SetStageAsync(
            new SetStageRequest { Model = name, Version = 2, Stage = "Production", ArchiveExisting = true }, cancellationToken: TestContext.CancellationToken);
        CollectionAssert.AreEqual(
            new[] { "1 Production->Archived replaced", "2 None->Production changed" },
            replaced.Changed.Transitions.Select(t => $"{t.Version} {t.FromStage}->{t.ToStage} {t.Action}").ToArray());

        var rolledBack = await registry.RollbackStageAsync(
            new RollbackStageRequest { Model = name, Stage = "Production", Reason = "v2 misbehaves" }, cancellationToken: TestContext.CancellationToken);
        CollectionAssert.AreEqual(
            new[] { "2 Production->None rolled-back", "1 Archived->Production rolled-back" },
            rolledBack.Transitions.Select(t => $"{t.Version} {t.FromStage}->{t.ToStage} {t.Action}").ToArray());
        Assert.AreEqual(1, (await ResolveAsync(registry, $"models:/{name}/Production")).Version);

        await registry.SetAliasAsync(new SetAliasRequest { Model = name, Alias = "champion", Version = 1 }, cancellationToken: TestContext.CancellationToken);
        var moved = await registry.SetAliasAsync(new SetAliasRequest { Model = name, Alias = "champion", Version = 2 }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(2, moved.Version);
        var back = await registry.RollbackAliasAsync(new RollbackAliasRequest { Model = name, Alias = "champion" }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(1, back.Version);
        Assert.AreEqual(1, (await ResolveAsync(registry, $"models:/{name}@champion")).Version);
        await registry.DeleteAliasAsync(new DeleteAliasRequest { Model = name, Alias = "champion", Reason = "retired" }, cancellationToken: TestContext.CancellationToken);
        await AssertRefusedAsync(
            registry.ResolveAsync(new ResolveRequest { Reference = $"models:/{name}@champion" }, cancellationToken: TestContext.CancellationToken),
            StatusCode.NotFound, "model-reference-not-found");

        var history = await registry.GetHistoryAsync(new GetHistoryRequest { Model = name }, cancellationToken: TestContext.CancellationToken);
        CollectionAssert.AreEqual(
            new[]
            {
                "alias champion 1->- changed retired",
                "alias champion 2->1 rolled-back -",
                "alias champion 1->2 changed -",
                "alias champion -->1 changed -",
                "stage 1 Archived->Production rolled-back v2 misbehaves",
                "stage 2 Production->None rolled-back v2 misbehaves",
                "stage 2 None->Production changed -",
                "stage 1 Production->Archived replaced replaced in Production by version 2",
                "stage 1 None->Production changed go live",
            },
            history.Transitions.Select(Describe).ToArray());
    }

    [TestMethod]
    public async Task PromotionNeedingApproval_IsRequested_ThenApprovedByASecondPerson()
    {
        var system = await RunningSystem.GetAsync();
        var adminToken = await system.AdminTokenAsync();
        var scientistToken = await system.TokenOfAsync(await system.CreateUserAsync("data-scientist"));
        using var channel = Channel(system);
        var admin = Client(channel, adminToken);
        var scientist = Client(channel, scientistToken);
        var name = await CreateModelAsync(scientist, requireApproval: true);
        await RegisterAsync(scientist, name, RegistryClient.Mlp(seed: 1));

        var asked = await scientist.SetStageAsync(
            new SetStageRequest { Model = name, Version = 1, Stage = "Production", Reason = "ready" }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(SetStageResponse.OutcomeOneofCase.ApprovalRequested, asked.OutcomeCase);
        Assert.AreEqual(("pending", 1, "Production"), (asked.ApprovalRequested.Status, asked.ApprovalRequested.Version, asked.ApprovalRequested.ToStage));
        var decision = new ApprovalDecision { Model = name, ApprovalId = asked.ApprovalRequested.Id, Comment = "looks good" };
        await AssertRefusedAsync(scientist.ApproveRequestAsync(decision, cancellationToken: TestContext.CancellationToken), StatusCode.PermissionDenied);

        var approved = await admin.ApproveRequestAsync(decision, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual("Production", approved.Version.Stage);
        var transition = approved.Transitions.Single();
        Assert.AreEqual(("approved", RegistryClient.SubjectOf(scientistToken), RegistryClient.SubjectOf(adminToken)),
            (transition.Action, transition.ChangedBy, transition.ApprovedBy));
        await AssertRefusedAsync(admin.RejectRequestAsync(decision, cancellationToken: TestContext.CancellationToken), StatusCode.FailedPrecondition, "approval-decided");
    }

    [TestMethod]
    public async Task Lineage_IsQueriedBothWays_AndAReferencedParentIsNotDeleted()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var registry = Client(channel, await system.AdminTokenAsync());
        var name = await CreateModelAsync(registry);
        await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 1));
        var parent = $"models:/{name}/1";
        var child = await RegisterAsync(registry, name, RegistryClient.Mlp(seed: 2), new VersionMetadata
        {
            Format = "onnx",
            Lineage = new VersionLineage { Parents = { parent }, Datasets = { "mnist@3" }, TrainingJob = "job-42" },
        });
        CollectionAssert.AreEqual(new[] { parent }, child.Lineage.Parents.ToArray());

        var upstream = await registry.GetLineageAsync(new GetLineageRequest { Model = name, Version = 2 }, cancellationToken: TestContext.CancellationToken);
        var downstream = await registry.GetLineageAsync(
            new GetLineageRequest { Model = name, Version = 1, Direction = "downstream" }, cancellationToken: TestContext.CancellationToken);

        Assert.AreEqual(($"models:/{name}/2", "upstream", 5), (upstream.Root, upstream.Direction, upstream.Depth));
        CollectionAssert.IsSubsetOf(
            new[] { $"{parent} -> models:/{name}/2", $"mnist@3 -> models:/{name}/2", $"job-42 -> models:/{name}/2" },
            upstream.Edges.Select(e => $"{e.From} -> {e.To}").ToArray());
        CollectionAssert.AreEqual(new[] { $"{parent} -> models:/{name}/2" }, downstream.Edges.Select(e => $"{e.From} -> {e.To}").ToArray());
        await AssertRefusedAsync(
            registry.GetLineageAsync(new GetLineageRequest { Model = name, Version = 1, Depth = 99 }, cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "invalid-request");

        var inUse = await AssertRefusedAsync(
            registry.DeleteVersionAsync(new DeleteVersionRequest { Model = name, Version = 1 }, cancellationToken: TestContext.CancellationToken),
            StatusCode.FailedPrecondition, "version-in-use");
        StringAssert.Contains(inUse.Status.Detail, $"models:/{name}/2 (parent of)");
        await registry.DeleteVersionAsync(new DeleteVersionRequest { Model = name, Version = 2 }, cancellationToken: TestContext.CancellationToken);
        await registry.DeleteVersionAsync(new DeleteVersionRequest { Model = name, Version = 1 }, cancellationToken: TestContext.CancellationToken);
        var left = await registry.ListVersionsAsync(new ListVersionsRequest { Model = name }, cancellationToken: TestContext.CancellationToken);
        Assert.IsEmpty(left.Versions);
    }

    [TestMethod]
    public async Task UnknownModel_IsNotFound_WithItsReason()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var registry = Client(channel, await system.AdminTokenAsync());
        var missing = Accounts.Unique("missing");

        var refused = await AssertRefusedAsync(
            registry.GetModelAsync(new GetModelRequest { Name = missing }, cancellationToken: TestContext.CancellationToken),
            StatusCode.NotFound, "model-not-found");
        StringAssert.Contains(refused.Status.Detail, missing);
        await AssertRefusedAsync(RegisterCallAsync(registry, missing, RegistryClient.Mlp(), Onnx()), StatusCode.NotFound, "model-not-found");
        await AssertRefusedAsync(
            registry.GetVersionAsync(new GetVersionRequest { Model = missing, Version = 1 }, cancellationToken: TestContext.CancellationToken),
            StatusCode.NotFound, "model-not-found");
    }

    [TestMethod]
    public async Task RegisterVersion_CorruptFileOrMalformedStream_IsInvalidArgument_AndLeavesNoVersion()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var registry = Client(channel, await system.AdminTokenAsync());
        var name = await CreateModelAsync(registry);
        var valid = RegistryClient.Mlp(seed: 3);

        var corrupt = await AssertRefusedAsync(
            RegisterCallAsync(registry, name, valid[..(valid.Length / 2)], Onnx()), StatusCode.InvalidArgument, "invalid-onnx-model");
        StringAssert.Contains(corrupt.Status.Detail, "ONNX");
        await AssertRefusedAsync(
            RegisterCallAsync(registry, name, valid, new VersionMetadata { Format = "pickle" }), StatusCode.InvalidArgument, "invalid-request");

        using (var call = registry.RegisterVersion(cancellationToken: TestContext.CancellationToken))
        {
            await call.RequestStream.WriteAsync(new RegisterVersionRequest { Chunk = ByteString.CopyFrom(valid) }, TestContext.CancellationToken);
            await call.RequestStream.CompleteAsync();
            await AssertRefusedAsync(call.ResponseAsync, StatusCode.InvalidArgument, "invalid-registration-stream");
        }

        var versions = await registry.ListVersionsAsync(new ListVersionsRequest { Model = name }, cancellationToken: TestContext.CancellationToken);
        Assert.IsEmpty(versions.Versions);
    }

    [TestMethod]
    public async Task AViewer_ReadsButIsRefusedWrites_AndNoTokenIsUnauthenticated()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var admin = Client(channel, await system.AdminTokenAsync());
        var name = await CreateModelAsync(admin);
        var viewer = Client(channel, await system.TokenOfAsync(await system.CreateUserAsync("viewer")));

        var read = await viewer.GetModelAsync(new GetModelRequest { Name = name }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(name, read.Name);
        await AssertRefusedAsync(
            viewer.CreateModelAsync(new CreateModelRequest { Name = Accounts.Unique("model") }, cancellationToken: TestContext.CancellationToken),
            StatusCode.PermissionDenied);
        await AssertRefusedAsync(RegisterCallAsync(viewer, name, RegistryClient.Mlp(), Onnx()), StatusCode.PermissionDenied);
        await AssertRefusedAsync(
            viewer.SetAliasAsync(new SetAliasRequest { Model = name, Alias = "champion", Version = 1 }, cancellationToken: TestContext.CancellationToken),
            StatusCode.PermissionDenied);

        var anonymous = new ModelRegistryClient(channel);
        await AssertRefusedAsync(
            anonymous.GetModelAsync(new GetModelRequest { Name = name }, cancellationToken: TestContext.CancellationToken),
            StatusCode.Unauthenticated);
    }

    private static GrpcChannel Channel(RunningSystem system) => GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");

    private static ModelRegistryClient Client(GrpcChannel channel, string token) =>
        new(channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        }));

    private async Task<string> CreateModelAsync(ModelRegistryClient registry, bool requireApproval = false)
    {
        var created = await registry.CreateModelAsync(
            new CreateModelRequest { Name = Accounts.Unique("model"), Description = "gRPC test model", RequireApproval = requireApproval },
            cancellationToken: TestContext.CancellationToken);
        return created.Name;
    }

    private static VersionMetadata Onnx() => new() { Format = "onnx" };

    private Task<ModelVersion> RegisterAsync(ModelRegistryClient registry, string model, byte[] file, VersionMetadata? metadata = null) =>
        RegisterCallAsync(registry, model, file, metadata ?? Onnx());

    /// <summary>The header, then the file in chunks of <see cref="ChunkBytes"/>.</summary>
    private async Task<ModelVersion> RegisterCallAsync(ModelRegistryClient registry, string model, byte[] file, VersionMetadata metadata)
    {
        using var call = registry.RegisterVersion(cancellationToken: TestContext.CancellationToken);
        try
        {
            await call.RequestStream.WriteAsync(
                new RegisterVersionRequest { Header = new RegistrationHeader { Model = model, Metadata = metadata } }, TestContext.CancellationToken);
            foreach (var chunk in file.Chunk(ChunkBytes))
            {
                await call.RequestStream.WriteAsync(new RegisterVersionRequest { Chunk = ByteString.CopyFrom(chunk) }, TestContext.CancellationToken);
            }
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
            // The server refused before reading everything (an unknown model, a missing permission): its answer says why.
        }
        return await call.ResponseAsync;
    }

    private async Task<ResolvedReference> ResolveAsync(ModelRegistryClient registry, string reference) =>
        await registry.ResolveAsync(new ResolveRequest { Reference = reference }, cancellationToken: TestContext.CancellationToken);

    /// <summary>Asserts the call fails with <paramref name="status"/> and, when given, the registry's problem reason.</summary>
    private static async Task<RpcException> AssertRefusedAsync<T>(Task<T> call, StatusCode status, string? reason = null)
    {
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => call);
        Assert.AreEqual(status, refused.StatusCode, refused.Status.Detail);
        if (reason is not null)
        {
            Assert.AreEqual(reason, refused.Trailers.GetValue("novabrain-problem-reason"), refused.Status.Detail);
            Assert.StartsWith($"{reason}: ", refused.Status.Detail);
        }
        return refused;
    }

    private static Task<RpcException> AssertRefusedAsync<T>(AsyncUnaryCall<T> call, StatusCode status, string? reason = null) =>
        AssertRefusedAsync(call.ResponseAsync, status, reason);

    private static string Describe(TensorSpec spec) => $"{spec.Name} {spec.Datatype} [{string.Join(",", spec.Shape)}]";

    private static string Describe(Transition t) => t.Kind == "alias"
        ? $"alias {t.Alias} {(t.HasFromVersion ? t.FromVersion.ToString(CultureInfo.InvariantCulture) : "-")}->{(t.HasToVersion ? t.ToVersion.ToString(CultureInfo.InvariantCulture) : "-")} {t.Action} {(t.HasReason ? t.Reason : "-")}"
        : $"stage {t.Version} {t.FromStage}->{t.ToStage} {t.Action} {(t.HasReason ? t.Reason : "-")}";
}
