using System.Net;
using System.Net.Http.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>Lineage recorded at registration, walked up and down, and the deletions it forbids.</summary>
[TestClass]
public sealed class LineageTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Lineage_IsWalkedUpstreamAndDownstream_AndAReferencedParentCannotBeDeleted()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var baseModel = await admin.CreateModelAsync();
        var derived = await admin.CreateModelAsync();
        var root = await admin.RegisterOnnxAsync(baseModel, seed: 1, lineage: new
        {
            datasets = new[] { "datasets:/mnist/3" },
            parameterSets = new[] { "params:/mlp-init/1" },
            trainingJob = "job-42",
            template = "mlp-classifier",
        });
        await admin.RegisterOnnxAsync(derived, seed: 2, lineage: new { parents = new[] { $"models:/{baseModel}/1" } });
        await admin.RegisterOnnxAsync(derived, seed: 3, lineage: new { parents = new[] { $"models:/{derived}/1" } });

        Assert.AreEqual(("job-42", "mlp-classifier"), (root.Lineage.TrainingJob, root.Lineage.Template));
        CollectionAssert.AreEqual(new[] { "params:/mlp-init/1" }, root.Lineage.ParameterSets);

        var upstream = await admin.GetAsync<LineageGraphBody>($"{RegistryClient.Models}/{derived}/versions/2/lineage?direction=upstream");
        CollectionAssert.AreEquivalent(
            new[] { $"models:/{derived}/2", $"models:/{derived}/1", $"models:/{baseModel}/1", "datasets:/mnist/3", "params:/mlp-init/1", "job-42", "mlp-classifier" },
            upstream.Nodes.Select(n => n.Id).ToArray());
        CollectionAssert.IsSubsetOf(
            new[] { $"models:/{baseModel}/1 -> models:/{derived}/1", $"models:/{derived}/1 -> models:/{derived}/2", $"datasets:/mnist/3 -> models:/{baseModel}/1" },
            upstream.Edges.Select(e => $"{e.From} -> {e.To}").ToArray());
        Assert.AreEqual("parameter-set", upstream.Nodes.Single(n => n.Id == "params:/mlp-init/1").Kind);

        var shallow = await admin.GetAsync<LineageGraphBody>($"{RegistryClient.Models}/{derived}/versions/2/lineage?depth=1");
        CollectionAssert.AreEquivalent(new[] { $"models:/{derived}/2", $"models:/{derived}/1" }, shallow.Nodes.Select(n => n.Id).ToArray());

        var downstream = await admin.GetAsync<LineageGraphBody>($"{RegistryClient.Models}/{baseModel}/versions/1/lineage?direction=downstream");
        CollectionAssert.AreEquivalent(
            new[] { $"models:/{baseModel}/1", $"models:/{derived}/1", $"models:/{derived}/2" }, downstream.Nodes.Select(n => n.Id).ToArray());
        using var sideways = await admin.GetAsync($"{RegistryClient.Models}/{baseModel}/versions/1/lineage?direction=sideways", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, sideways.StatusCode);

        using var refused = await admin.DeleteAsync($"{RegistryClient.Models}/{baseModel}/versions/1", TestContext.CancellationToken);
        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict, "version-in-use");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), $"models:/{derived}/1");
        Assert.AreEqual(1, (await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{baseModel}/versions/1")).Version, "still there");

        using var leaf = await admin.DeleteAsync($"{RegistryClient.Models}/{derived}/versions/2", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, leaf.StatusCode);
        using var gone = await admin.GetAsync($"{RegistryClient.Models}/{derived}/versions/2", TestContext.CancellationToken);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound, "version-not-found");
        using var middle = await admin.DeleteAsync($"{RegistryClient.Models}/{derived}/versions/1", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, middle.StatusCode, "its only child is gone, so nothing references it");
        using var freed = await admin.DeleteAsync($"{RegistryClient.Models}/{baseModel}/versions/1", TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.NoContent, freed.StatusCode);
        Assert.AreEqual(3, (await admin.RegisterOnnxAsync(derived, seed: 4)).Version, "numbers are never reused");
    }

    [TestMethod]
    public async Task Register_WithAParentThatDoesNotExist_Returns400_AndCreatesNothing()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();

        using var unknownParent = await admin.RegisterAsync(name, RegistryClient.Mlp(), new { format = "onnx", lineage = new { parents = new[] { $"models:/{name}/7" } } });
        var problem = await unknownParent.AssertProblemAsync(HttpStatusCode.BadRequest, "lineage-reference-not-found");
        StringAssert.Contains(problem.GetProperty("detail").GetString(), $"models:/{name}/7");
        using var notAVersion = await admin.RegisterAsync(name, RegistryClient.Mlp(), new { format = "onnx", lineage = new { parents = new[] { $"models:/{name}@champion" } } });
        Assert.AreEqual(HttpStatusCode.BadRequest, notAVersion.StatusCode);
        using var badParams = await admin.RegisterAsync(name, RegistryClient.Mlp(), new { format = "onnx", lineage = new { parameterSets = new[] { "weights-v1" } } });
        Assert.AreEqual(HttpStatusCode.BadRequest, badParams.StatusCode);

        Assert.IsEmpty(await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions"));
    }

    [TestMethod]
    public async Task Delete_AProductionOrAliasedVersion_IsRefusedNamingWhatHoldsIt()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        await admin.RegisterOnnxAsync(name, seed: 1);
        (await admin.ChangeStageAsync(name, 1, new { stage = "Production" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"{RegistryClient.Models}/{name}/aliases/champion", new { version = 1 }, TestContext.CancellationToken)).EnsureSuccessStatusCode();

        using var refused = await admin.DeleteAsync($"{RegistryClient.Models}/{name}/versions/1", TestContext.CancellationToken);

        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict, "version-in-use");
        CollectionAssert.AreEqual(
            new[] { "the Production stage", "alias champion" },
            problem.GetProperty("referencedBy").EnumerateArray().Select(item => item.GetString()).ToArray());
    }
}
