using System.Net;
using System.Net.Http.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>Stages, approvals, aliases, references, history and rollback, on the running system.</summary>
[TestClass]
public sealed class LifecycleTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Production_HoldsOneVersion_ArchiveExistingReplacesIt_AndArchivingItNeedsConfirmation()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(name, seed: 1);
        await admin.RegisterOnnxAsync(name, seed: 2);

        using var staged = await admin.ChangeStageAsync(name, 1, new { stage = "staging", reason = "candidate" });
        var staging = await staged.ReadAsync<StageChangeBody>();
        Assert.AreEqual("Staging", staging.Version.Stage);
        using var promoted = await admin.ChangeStageAsync(name, 1, new { stage = "Production", reason = "go live" });
        Assert.AreEqual("Production", (await promoted.ReadAsync<StageChangeBody>()).Version.Stage);

        using var second = await admin.ChangeStageAsync(name, 2, new { stage = "Production" });
        var occupied = await second.AssertProblemAsync(HttpStatusCode.Conflict, "production-occupied");
        Assert.AreEqual(1, occupied.GetProperty("holders")[0].GetInt32());
        Assert.AreEqual("None", (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/2")).Stage);
        using var again = await admin.ChangeStageAsync(name, 1, new { stage = "Production" });
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "stage-unchanged");
        using var badStage = await admin.ChangeStageAsync(name, 1, new { stage = "Live" });
        await badStage.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-stage");

        using var replaced = await admin.ChangeStageAsync(name, 2, new { stage = "Production", archiveExisting = true, reason = "v2 is better" });
        var replacement = await replaced.ReadAsync<StageChangeBody>();
        CollectionAssert.AreEqual(
            new[] { "1 Production->Archived replaced", "2 None->Production changed" },
            replacement.Transitions.Select(t => $"{t.Version} {t.FromStage}->{t.ToStage} {t.Action}").ToArray());
        Assert.AreEqual("Archived", (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/1")).Stage);

        using var unconfirmed = await admin.ChangeStageAsync(name, 2, new { stage = "Archived" });
        await unconfirmed.AssertProblemAsync(HttpStatusCode.Conflict, "archive-production-unconfirmed");
        Assert.AreEqual("Production", (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/2")).Stage);
        using var confirmed = await admin.ChangeStageAsync(name, 2, new { stage = "Archived", confirmArchiveProduction = true });
        Assert.AreEqual("Archived", (await confirmed.ReadAsync<StageChangeBody>()).Version.Stage);
    }

    [TestMethod]
    public async Task AModelAllowingSeveralProductionVersions_KeepsThemAll()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync(allowMultipleProduction: true);
        await admin.RegisterOnnxAsync(name, seed: 1);
        await admin.RegisterOnnxAsync(name, seed: 2);

        (await admin.ChangeStageAsync(name, 1, new { stage = "Production" })).EnsureSuccessStatusCode();
        (await admin.ChangeStageAsync(name, 2, new { stage = "Production" })).EnsureSuccessStatusCode();

        var versions = await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions");
        Assert.IsTrue(versions.All(v => v.Stage == "Production"));
        Assert.AreEqual(2, (await admin.ResolveAsync($"models:/{name}/Production")).Version, "a stage resolves to its newest version");
        using var narrowing = await admin.PatchAsJsonAsync($"{RegistryClient.Models}/{name}", new { allowMultipleProduction = false }, TestContext.CancellationToken);
        await narrowing.AssertProblemAsync(HttpStatusCode.Conflict, "multiple-production-held");
    }

    [TestMethod]
    public async Task PromotionNeedingApproval_WaitsForASecondPerson_AndSelfApprovalIsRefused()
    {
        var system = await RunningSystem.GetAsync();
        var adminToken = await system.AdminTokenAsync();
        using var admin = system.CreateGatewayClient(adminToken);
        var scientist = await system.CreateUserAsync("data-scientist");
        var scientistToken = await system.TokenOfAsync(scientist);
        using var requester = system.CreateGatewayClient(scientistToken);
        var name = await requester.CreateModelAsync(requireApproval: true);
        await requester.RegisterOnnxAsync(name);

        using var asked = await requester.ChangeStageAsync(name, 1, new { stage = "Production", reason = "ready" });
        Assert.AreEqual(HttpStatusCode.Accepted, asked.StatusCode, await asked.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var request = (await asked.Content.ReadFromJsonAsync<ApprovalBody>(RegistryClient.Json, TestContext.CancellationToken))!;
        Assert.AreEqual(("pending", 1, "Production", RegistryClient.SubjectOf(scientistToken)), (request.Status, request.Version, request.ToStage, request.RequestedBy));
        Assert.AreEqual("None", (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/1")).Stage, "nothing moves before approval");

        var approve = $"{RegistryClient.Models}/{name}/approvals/{request.Id}/approve";
        using var withoutPermission = await requester.PostAsync(approve, content: null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Forbidden, withoutPermission.StatusCode, "a data scientist lacks models:approve");
        using var turnedOff = await requester.PatchAsJsonAsync($"{RegistryClient.Models}/{name}", new { requireApproval = false }, TestContext.CancellationToken);
        await turnedOff.AssertProblemAsync(HttpStatusCode.Forbidden, "approval-permission-required");

        // The admin asks for its own promotion of another version and may not approve it itself.
        await admin.RegisterOnnxAsync(name, seed: 2);
        using var ownAsk = await admin.ChangeStageAsync(name, 2, new { stage = "Production", archiveExisting = true });
        var own = (await ownAsk.Content.ReadFromJsonAsync<ApprovalBody>(RegistryClient.Json, TestContext.CancellationToken))!;
        using var selfApproved = await admin.PostAsync($"{RegistryClient.Models}/{name}/approvals/{own.Id}/approve", content: null, TestContext.CancellationToken);
        var refusal = await selfApproved.AssertProblemAsync(HttpStatusCode.Forbidden, "self-approval-forbidden");
        StringAssert.Contains(refusal.GetProperty("detail").GetString(), "second person");
        using var rejected = await admin.PostAsJsonAsync($"{RegistryClient.Models}/{name}/approvals/{own.Id}/reject", new { comment = "withdrawn" }, TestContext.CancellationToken);
        Assert.AreEqual("rejected", (await rejected.ReadAsync<ApprovalBody>()).Status);

        using var approved = await admin.PostAsJsonAsync(approve, new { comment = "looks good" }, TestContext.CancellationToken);
        var change = await approved.ReadAsync<StageChangeBody>();
        Assert.AreEqual("Production", change.Version.Stage);
        var transition = change.Transitions.Single();
        Assert.AreEqual(("approved", RegistryClient.SubjectOf(scientistToken), RegistryClient.SubjectOf(adminToken)),
            (transition.Action, transition.ChangedBy, transition.ApprovedBy));
        using var twice = await admin.PostAsync(approve, content: null, TestContext.CancellationToken);
        await twice.AssertProblemAsync(HttpStatusCode.Conflict, "approval-decided");
        Assert.AreEqual(1, (await admin.ResolveAsync($"models:/{name}/production")).Version);
    }

    [TestMethod]
    public async Task Aliases_MoveResolveAndRollBack_AndHistoryKeepsEveryTransition()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var admin = system.CreateGatewayClient(token);
        var adminId = RegistryClient.SubjectOf(token);
        var name = await admin.CreateModelAsync();
        var first = await admin.RegisterOnnxAsync(name, seed: 1);
        var second = await admin.RegisterOnnxAsync(name, seed: 2);
        var alias = $"{RegistryClient.Models}/{name}/aliases/champion";

        using var set = await admin.PutAsJsonAsync(alias, new { version = 1, reason = "baseline" }, TestContext.CancellationToken);
        Assert.AreEqual(1, (await set.ReadAsync<AliasBody>()).Version);
        using var moved = await admin.PutAsJsonAsync(alias, new { version = 2, reason = "retrained" }, TestContext.CancellationToken);
        Assert.AreEqual(2, (await moved.ReadAsync<AliasBody>()).Version);
        (await admin.ChangeStageAsync(name, 1, new { stage = "Production" })).EnsureSuccessStatusCode();

        var byAlias = await admin.ResolveAsync($"models:/{name}@champion");
        Assert.AreEqual(($"models:/{name}@champion", name, 2, "onnx"), (byAlias.Reference, byAlias.Model, byAlias.Version, byAlias.Format));
        Assert.AreEqual(second.Artifact, byAlias.Artifact);
        CollectionAssert.AreEqual(new[] { "champion" }, byAlias.Aliases);
        Assert.AreEqual("input", byAlias.Signature.Inputs.Single().Name);
        CollectionAssert.AreEqual(new long[] { -1, 784 }, byAlias.Signature.Inputs.Single().Shape);
        var byVersion = await admin.ResolveAsync($"models:/{name}/1");
        Assert.AreEqual((1, "Production", first.Artifact), (byVersion.Version, byVersion.Stage, byVersion.Artifact));
        Assert.IsEmpty(byVersion.Aliases);
        var byStage = await admin.ResolveAsync($"models:/{name}/Production");
        Assert.AreEqual(1, byStage.Version);
        CollectionAssert.AreEqual(new[] { "champion" }, (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/2")).Aliases);

        using var rolledBack = await admin.PostAsync($"{alias}/rollback", content: null, TestContext.CancellationToken);
        Assert.AreEqual(1, (await rolledBack.ReadAsync<AliasBody>()).Version);
        Assert.AreEqual(1, (await admin.ResolveAsync($"models:/{name}@champion")).Version);

        var history = await admin.GetAsync<TransitionBody[]>($"{RegistryClient.Models}/{name}/history");
        CollectionAssert.AreEqual(
            new[]
            {
                "alias champion 2->1 rolled-back",
                "stage 1 None->Production changed",
                "alias champion 1->2 changed",
                "alias champion ->1 changed",
            },
            history.Select(Describe).ToArray());
        Assert.IsTrue(history.All(t => t.ChangedBy == adminId));
        Assert.AreEqual("retrained", history[2].Reason);

        using var deleted = await admin.DeleteAsync(alias, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, deleted.StatusCode);
        using var gone = await admin.GetAsync($"/api/registry/v1/resolve?ref={Uri.EscapeDataString($"models:/{name}@champion")}", TestContext.CancellationToken);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound, "model-reference-not-found");
        using var restored = await admin.PostAsync($"{alias}/rollback", content: null, TestContext.CancellationToken);
        Assert.AreEqual(1, (await restored.ReadAsync<AliasBody>()).Version, "rolling back a removal puts the alias back");
    }

    [TestMethod]
    public async Task StageRollback_GivesProductionBackToItsPreviousHolder_AsNewTransitions()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(name, seed: 1);
        await admin.RegisterOnnxAsync(name, seed: 2);
        (await admin.ChangeStageAsync(name, 1, new { stage = "Production" })).EnsureSuccessStatusCode();
        (await admin.ChangeStageAsync(name, 2, new { stage = "Staging" })).EnsureSuccessStatusCode();
        (await admin.ChangeStageAsync(name, 2, new { stage = "Production", archiveExisting = true })).EnsureSuccessStatusCode();

        using var rolledBack = await admin.PostAsJsonAsync($"{RegistryClient.Models}/{name}/stages/production/rollback", new { reason = "v2 regressed" }, TestContext.CancellationToken);
        var transitions = await rolledBack.ReadAsync<TransitionBody[]>();

        CollectionAssert.AreEqual(
            new[] { "stage 2 Production->Staging rolled-back", "stage 1 Archived->Production rolled-back" },
            transitions.Select(Describe).ToArray());
        Assert.AreEqual(1, (await admin.ResolveAsync($"models:/{name}/Production")).Version);
        Assert.AreEqual(2, (await admin.ResolveAsync($"models:/{name}/Staging")).Version);
        var history = await admin.GetAsync<TransitionBody[]>($"{RegistryClient.Models}/{name}/history");
        Assert.HasCount(6, history, "the rollback added transitions and removed none");
        Assert.AreEqual("v2 regressed", history[0].Reason);

        var fresh = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(fresh);
        using var nothing = await admin.PostAsync($"{RegistryClient.Models}/{fresh}/stages/Production/rollback", content: null, TestContext.CancellationToken);
        await nothing.AssertProblemAsync(HttpStatusCode.Conflict, "nothing-to-roll-back");
    }

    [TestMethod]
    [DataRow("fraud/3")]
    [DataRow("models:/x")]
    [DataRow("models:/x/0")]
    [DataRow("models:/x/Live")]
    [DataRow("")]
    public async Task Resolve_MalformedReference_Returns400WithTheExpectedForms(string reference)
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        using var response = await admin.GetAsync($"/api/registry/v1/resolve?ref={Uri.EscapeDataString(reference)}", TestContext.CancellationToken);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-model-reference");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), "models:/<name>@<alias>");
    }

    [TestMethod]
    public async Task Resolve_UnknownModelVersionAliasOrEmptyStage_Returns404()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(name);

        foreach (var reference in new[] { "models:/no-such-model-x/1", $"models:/{name}/2", $"models:/{name}@nobody", $"models:/{name}/Production" })
        {
            using var response = await admin.GetAsync($"/api/registry/v1/resolve?ref={Uri.EscapeDataString(reference)}", TestContext.CancellationToken);
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "model-reference-not-found");
        }
        Assert.AreEqual("None", (await admin.ResolveAsync($"models:/{name}/none")).Stage);
    }

    private static string Describe(TransitionBody t) => t.Kind == "alias"
        ? $"alias {t.Alias} {t.FromVersion}->{t.ToVersion} {t.Action}"
        : $"stage {t.Version} {t.FromStage}->{t.ToStage} {t.Action}";
}
