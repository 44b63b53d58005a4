using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Training;

/// <summary>Users' templates on the running system: stored and versioned, listed with the built-ins, and used by jobs.</summary>
[TestClass]
public sealed class TemplatesApiTests
{
    private const string Templates = "/api/training/v1/templates";
    private const string Jobs = "/api/training/v1/jobs";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Create_TwiceUnderOneName_StoresTwoVersions_ListedWithTheBuiltIns_AndOnlyItsAuthorAddsMore()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("tabular");

        var first = await CreateAsync(admin, new { name, basedOn = "mlp-classifier", hyperparameters = new { learningRate = new { @default = 0.001, maximum = 0.01 } } });
        var second = await CreateAsync(admin, new { name, basedOn = "mlp-classifier", description = "Wider", hyperparameters = new { hiddenLayers = new { @default = new[] { 128 } } } });
        Assert.AreEqual((1, 2), (first.GetProperty("version").GetInt32(), second.GetProperty("version").GetInt32()));
        Assert.AreEqual(("mlp", "classification", "mlp-classifier"),
            (second.GetProperty("architecture").GetString(), second.GetProperty("task").GetString(), second.GetProperty("basedOn").GetString()));

        var latest = await admin.GetAsync<JsonElement>($"{Templates}/{name}");
        Assert.AreEqual(("Wider", 2), (latest.GetProperty("description").GetString(), latest.GetProperty("version").GetInt32()));
        var versionOne = await admin.GetAsync<JsonElement>($"{Templates}/{name}?version=1");
        var learningRate = versionOne.GetProperty("hyperparameters").EnumerateArray().Single(spec => spec.GetProperty("name").GetString() == "learningRate");
        Assert.AreEqual((0.001, 0.01), (learningRate.GetProperty("default").GetDouble(), learningRate.GetProperty("maximum").GetDouble()));

        var listed = (await admin.GetAsync<JsonElement>(Templates)).EnumerateArray()
            .Select(template => $"{template.GetProperty("name").GetString()}@{template.GetProperty("version").GetInt32()}").ToList();
        CollectionAssert.IsSubsetOf(new[] { "mlp-classifier@1", "mlp-regressor@1", "cnn-classifier@1", $"{name}@1", $"{name}@2" }, listed);

        var engineer = await system.CreateUserAsync("ml-engineer");
        using var engineerClient = system.CreateGatewayClient(await system.TokenOfAsync(engineer));
        using var notYours = await engineerClient.PostAsJsonAsync(Templates, new { name, basedOn = "mlp-regressor" }, TestContext.CancellationToken);
        await notYours.AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-template");
    }

    [TestMethod]
    public async Task Create_UnderABuiltInName_OrWideningARange_IsRefusedWithTheReason()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        using var reserved = await admin.PostAsJsonAsync(Templates, new { name = "cnn-classifier", basedOn = "cnn-classifier" }, TestContext.CancellationToken);
        await reserved.AssertProblemAsync(HttpStatusCode.Conflict, "template-name-reserved");

        using var widened = await admin.PostAsJsonAsync(Templates, new
        {
            name = Accounts.Unique("wide"),
            basedOn = "mlp-regressor",
            hyperparameters = new { batchSize = new { maximum = 100000 }, epochs = new { @default = 0 } },
        }, TestContext.CancellationToken);
        var body = await widened.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, widened.StatusCode, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        StringAssert.Contains(errors.GetProperty("hyperparameters.batchSize.maximum")[0].GetString(), "from 1 to 65536");
        StringAssert.Contains(errors.GetProperty("hyperparameters.epochs.default")[0].GetString(), "from 1 to 10000");

        using var missing = await admin.GetAsync($"{Templates}/{Accounts.Unique("none")}", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "template-not-found");
    }

    [TestMethod]
    public async Task Job_FromAUsersCnnTemplate_OnAParquetDataset_IsHeldToItsRules_AndRegistersAModelThatSeesTheImages()
    {
        const int size = 8;
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var name = Accounts.Unique("halves");
        await CreateAsync(admin, new
        {
            name,
            basedOn = "cnn-classifier",
            hyperparameters = new
            {
                imageHeight = new { @default = size, minimum = size, maximum = size },
                imageWidth = new { @default = size, minimum = size, maximum = size },
                convFilters = new { @default = new[] { 4, 8 } },
                hiddenLayers = new { @default = new[] { 16 } },
                epochs = new { @default = 8, maximum = 20 },
                earlyStoppingPatience = new { @default = 0 },
            },
        });
        var dataset = await UploadAsync(admin, await TrainingData.ParquetOf(TrainingData.HalvesCsv(160, size, seed: 12), rowGroupRows: 64));
        var modelName = Accounts.Unique("halves").ToLowerInvariant();

        using var outOfRange = await admin.PostAsJsonAsync(Jobs, new { template = name, hyperparameters = new { epochs = 50 }, dataset, labelColumn = "side", modelName },
            TestContext.CancellationToken);
        var refusal = await outOfRange.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, outOfRange.StatusCode, refusal);
        StringAssert.Contains(JsonDocument.Parse(refusal).RootElement.GetProperty("errors").GetProperty("hyperparameters.epochs")[0].GetString(), "from 1 to 20");

        using var submitted = await admin.PostAsJsonAsync(Jobs, new { template = name, dataset, labelColumn = "side", modelName }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, submitted.StatusCode, await submitted.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var id = (await submitted.ReadAsync<JsonElement>()).GetProperty("id").GetString();
        var job = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", TimeSpan.FromMinutes(4), "the job to finish");
        Assert.AreEqual("Succeeded", job.GetProperty("state").GetString(), job.ToString());

        var version = await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{modelName}/versions/{job.GetProperty("modelVersion").GetInt32()}");
        Assert.AreEqual(("onnx", "passed"), (version.Format, version.Validation.Status));
        Assert.AreEqual(($"{name}@1", "1x8x8", "left,right"), (version.Lineage.Template, version.Tags["imageShape"], version.Tags["classes"]));
        Assert.IsGreaterThan(0.9, version.Metrics["val_accuracy"]);

        // The registered artifact takes flat pixel rows, as the dataset had them, and sees which half is bright.
        using var artifact = await admin.GetAsync($"/api/params/v1/blobs/{version.Artifact.Digest}", TestContext.CancellationToken);
        using var session = new InferenceSession(await artifact.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
        var fresh = TrainingData.HalvesCsv(40, size, seed: 99).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')).ToArray();
        var pixels = fresh.SelectMany(cells => cells[..^1].Select(cell => float.Parse(cell, CultureInfo.InvariantCulture))).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(pixels, [fresh.Length, size * size]))]);
        var logits = results.Single().AsTensor<float>();
        var correct = Enumerable.Range(0, fresh.Length).Count(row => (logits[row, 0] > logits[row, 1] ? "left" : "right") == fresh[row][^1]);
        Assert.IsGreaterThan(0.9, correct / (double)fresh.Length, $"{correct} of {fresh.Length} fresh images");
    }

    private async Task<JsonElement> CreateAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync(Templates, request, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return await response.ReadAsync<JsonElement>();
    }

    private async Task<string> UploadAsync(HttpClient client, byte[] bytes)
    {
        var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PutAsync($"/api/params/v1/blobs/{digest}", content, TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return digest;
    }
}
