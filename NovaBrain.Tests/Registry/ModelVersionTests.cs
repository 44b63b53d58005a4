using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;

namespace NovaBrain.Tests.Registry;

/// <summary>Registering model versions on the running system: validation, signatures, numbering and refusals.</summary>
[TestClass]
public sealed class ModelVersionTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task RegisterOnnx_ValidatesIt_AndAnswersItsSignatureOpsetAndArtifact()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var admin = system.CreateGatewayClient(token);
        var name = await admin.CreateModelAsync();
        var file = RegistryClient.Mlp(seed: 7);

        using var response = await admin.RegisterAsync(name, file, new
        {
            format = "onnx",
            description = "first cut",
            tags = new Dictionary<string, string> { ["team"] = "vision" },
            metrics = new Dictionary<string, double> { ["accuracy"] = 0.93 },
            @params = new Dictionary<string, string> { ["lr"] = "0.001" },
        });

        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual($"/api/registry/v1/models/{name}/versions/1", response.Headers.Location?.OriginalString);
        var version = await response.Content.ReadFromJsonAsync<VersionBody>(RegistryClient.Json, TestContext.CancellationToken);
        Assert.AreEqual((name, 1, "onnx", "None"), (version!.Model, version.Version, version.Format, version.Stage));
        Assert.AreEqual("input FP32 [-1,784]", Describe(version.Signature.Inputs.Single()));
        Assert.AreEqual("output FP32 [-1,10]", Describe(version.Signature.Outputs.Single()));
        Assert.AreEqual(("passed", 17L, "CPUExecutionProvider"), (version.Validation.Status, version.Validation.Opset, version.Validation.ExecutionProvider));
        Assert.AreEqual("sha256:" + Convert.ToHexStringLower(SHA256.HashData(file)), version.Artifact.Digest);
        Assert.AreEqual(file.Length, version.Artifact.SizeBytes);
        Assert.AreEqual("vision", version.Tags["team"]);
        Assert.AreEqual(0.93, version.Metrics["accuracy"]);
        Assert.AreEqual("0.001", version.Params["lr"]);
        Assert.AreEqual(RegistryClient.SubjectOf(token), version.CreatedBy);

        var reread = await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{name}/versions/1");
        Assert.AreEqual(Describe(version.Signature.Inputs.Single()), Describe(reread.Signature.Inputs.Single()));
        Assert.AreEqual(version.Artifact, reread.Artifact);
        var listed = await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions");
        Assert.AreEqual(1, listed.Single().Version);

        // The artifact is the parameter service's blob, byte for byte.
        using var blob = await admin.GetAsync($"/api/params/v1/blobs/{version.Artifact.Digest}", TestContext.CancellationToken);
        CollectionAssert.AreEqual(file, await blob.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
        var model = await admin.GetAsync<ModelBody>($"{RegistryClient.Models}/{name}");
        Assert.AreEqual((1, RegistryClient.SubjectOf(token)), (model.LatestVersion, model.Owner));
    }

    [TestMethod]
    public async Task Register_CorruptWrongOpsetOrUnrunnableFiles_AreRefusedWithTheirReasons_AndLeaveNothingBehind()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        var valid = RegistryClient.Mlp(seed: 3);

        (byte[] File, string Reason, string Mentions)[] cases =
        [
            (valid[..(valid.Length / 2)], "invalid-onnx-model", "ONNX"),
            (RegistryClient.Mlp(seed: 4, opset: 99), "unsupported-opset", "99"),
            (RegistryClient.ReshapeThatCannotRun(), "trial-inference-failed", "inference"),
        ];
        foreach (var (file, reason, mentions) in cases)
        {
            using var response = await admin.RegisterAsync(name, file, new { format = "onnx" });
            var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, reason);
            StringAssert.Contains(problem.GetProperty("detail").GetString(), mentions);

            var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(file));
            using var blob = await admin.GetAsync($"/api/params/v1/blobs/{digest}/info", TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.NotFound, blob.StatusCode, $"a refused {reason} file is not stored");
        }

        Assert.IsEmpty(await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions"));
        Assert.AreEqual(0, (await admin.GetAsync<ModelBody>($"{RegistryClient.Models}/{name}")).LatestVersion, "no refused file took a number");
        Assert.AreEqual(1, (await admin.RegisterOnnxAsync(name)).Version);
    }

    [TestMethod]
    public async Task Register_BadRequests_AnswerProblemsWithReasons()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();

        using var noModel = await admin.RegisterAsync("no-such-model-" + Guid.NewGuid().ToString("N")[..8], RegistryClient.Mlp(), new { format = "onnx" });
        await noModel.AssertProblemAsync(HttpStatusCode.NotFound, "model-not-found");
        using var json = await admin.PostAsJsonAsync($"{RegistryClient.Models}/{name}/versions", new { format = "onnx" }, TestContext.CancellationToken);
        await json.AssertProblemAsync(HttpStatusCode.BadRequest, "multipart-required");
        using var badFormat = await admin.RegisterAsync(name, RegistryClient.Mlp(), new { format = "pickle" });
        Assert.AreEqual(HttpStatusCode.BadRequest, badFormat.StatusCode);
        StringAssert.Contains(await badFormat.Content.ReadAsStringAsync(TestContext.CancellationToken), "format");
        using var onlyMetadata = new MultipartFormDataContent { { new StringContent("{\"format\":\"onnx\"}"), "metadata" } };
        using var noFile = await admin.PostAsync($"{RegistryClient.Models}/{name}/versions", onlyMetadata, TestContext.CancellationToken);
        await noFile.AssertProblemAsync(HttpStatusCode.BadRequest, "part-missing");
        using var notJson = new MultipartFormDataContent { { new StringContent("{format"), "metadata" }, { new ByteArrayContent(RegistryClient.Mlp()), "file", "m.onnx" } };
        using var badMetadata = await admin.PostAsync($"{RegistryClient.Models}/{name}/versions", notJson, TestContext.CancellationToken);
        await badMetadata.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-metadata");

        using var notANumber = await admin.GetAsync($"{RegistryClient.Models}/{name}/versions/first", TestContext.CancellationToken);
        await notANumber.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-version");
        using var missing = await admin.GetAsync($"{RegistryClient.Models}/{name}/versions/5", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "version-not-found");
        Assert.IsEmpty(await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions"));
    }

    [TestMethod]
    public async Task RegisterTorchScript_IsStoredUnvalidated_WithTheSignatureItDeclares()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        var signature = new { inputs = new[] { new { name = "x", datatype = "FP32", shape = new[] { -1, 3 } } }, outputs = new[] { new { name = "y", datatype = "INT64", shape = new[] { -1 } } } };

        using var response = await admin.RegisterAsync(name, RandomNumberGenerator.GetBytes(2048), new { format = "torchscript", signature });

        var version = await response.ReadAsync<VersionBody>();
        Assert.AreEqual("not-validated", version.Validation.Status);
        CollectionAssert.AreEqual(new[] { "not validated: torchscript is not validated by the registry" }, version.Validation.Reasons);
        Assert.IsNull(version.Validation.Opset);
        Assert.AreEqual("x FP32 [-1,3]", Describe(version.Signature.Inputs.Single()));
        Assert.AreEqual("y INT64 [-1]", Describe(version.Signature.Outputs.Single()));
    }

    [TestMethod]
    public async Task ConcurrentRegistrations_AreNumberedOneToEight_Exactly()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();

        var versions = await Task.WhenAll(Enumerable.Range(1, 8).Select(seed => admin.RegisterOnnxAsync(name, seed)));

        CollectionAssert.AreEquivalent(Enumerable.Range(1, 8).ToArray(), versions.Select(v => v.Version).ToArray());
        var listed = await admin.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions");
        CollectionAssert.AreEqual(Enumerable.Range(1, 8).ToArray(), listed.Select(v => v.Version).ToArray());
        Assert.AreEqual(8, (await admin.GetAsync<ModelBody>($"{RegistryClient.Models}/{name}")).LatestVersion);
    }

    [TestMethod]
    public async Task Register_WithOnlyModelsRead_Returns403()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = await admin.CreateModelAsync();
        var viewer = await system.CreateUserAsync("viewer");
        using var client = system.CreateGatewayClient(await system.TokenOfAsync(viewer));

        using var response = await client.RegisterAsync(name, RegistryClient.Mlp(), new { format = "onnx" });

        Assert.AreEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.IsEmpty(await client.GetAsync<VersionBody[]>($"{RegistryClient.Models}/{name}/versions"));
    }

    private static string Describe(TensorBody tensor) => $"{tensor.Name} {tensor.Datatype} [{string.Join(",", tensor.Shape)}]";
}
