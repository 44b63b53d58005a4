using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.Registry;
using NovaBrain.Tests.Serving;
using NovaBrain.Tests.Training;
using NovaBrain.Training.Trainer;

namespace NovaBrain.Tests.EndToEnd;

/// <summary>
/// The whole path on the running system, through the gateway: a CSV dataset → a training job → a registered, validated
/// model version → a deployment → Open Inference Protocol predictions that match the trained model's.
/// </summary>
[TestClass]
public sealed class TrainToServeTests
{
    private const string Jobs = "/api/training/v1/jobs";
    private const int Seed = 13;
    private const double ValidationFraction = 0.25;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ACsvDataset_IsTrained_Registered_Deployed_AndServedPredictionsMatchTheTrainedModel()
    {
        var system = await RunningSystem.GetAsync();
        // A principal of its own: the gateway counts inference calls per principal.
        var token = await system.TokenOfAsync(await system.CreateClientAsync(
            "params:read", "params:write", "training:submit", "models:read", "deployments:manage", "inference:invoke"));
        using var gateway = system.CreateGatewayClient(token);
        var csv = TrainingData.ClassificationCsv(600, seed: 61);
        var dataset = await TrainingGrpcTests.UploadCsvAsync(gateway, csv, TestContext.CancellationToken);
        var modelName = Accounts.Unique("served").ToLowerInvariant();

        // Train.
        using var submit = await gateway.PostAsJsonAsync(Jobs, new
        {
            template = "mlp-classifier",
            hyperparameters = new { hiddenLayers = new[] { 16 }, epochs = 15, learningRate = 0.03, validationFraction = ValidationFraction, earlyStoppingPatience = 0, seed = Seed },
            dataset,
            labelColumn = "species",
            modelName,
        }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, submit.StatusCode, await submit.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var id = (await submit.ReadAsync<JsonElement>()).GetProperty("id").GetString();
        var job = await Eventually.ReturnsAsync(() => gateway.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", TimeSpan.FromMinutes(5), "the job to finish");
        Assert.AreEqual("Succeeded", job.GetProperty("state").GetString(), job.ToString());
        var progress = await gateway.GetAsync<JsonElement>($"{Jobs}/{id}/progress");
        var reportedAccuracy = progress.EnumerateArray().Last().GetProperty("metrics").GetProperty("val_accuracy").GetDouble();

        // Registered and validated.
        var modelVersion = job.GetProperty("modelVersion").GetInt32();
        var version = await gateway.GetAsync<VersionBody>($"{RegistryClient.Models}/{modelName}/versions/{modelVersion}");
        Assert.AreEqual(("onnx", "passed"), (version.Format, version.Validation.Status));
        Assert.AreEqual(reportedAccuracy, version.Metrics["val_accuracy"], 1e-12, "the registry holds the job's final metrics");
        Assert.IsGreaterThan(0.8, reportedAccuracy, "three classes: chance is about 0.33");
        var classes = version.Tags["classes"].Split(',');
        using var artifact = await gateway.GetAsync($"/api/params/v1/blobs/{version.Artifact.Digest}", TestContext.CancellationToken);
        var onnx = await artifact.Content.ReadAsByteArrayAsync(TestContext.CancellationToken);

        // Deployed, taking all the validation rows in one request (one of the few inference calls the gateway allows).
        var deployment = Accounts.Unique("trained");
        await gateway.DeployAsync(deployment, $"models:/{modelName}/{modelVersion}", new { batching = new { maxBatchSize = 256 } });
        var ready = await gateway.WaitForStateAsync(deployment, "Ready");
        Assert.AreEqual((modelName, modelVersion), (ready.Serving!.Model, ready.Serving.Version));

        // The job's own validation rows, the ones its val_accuracy was measured on, served over the inference protocol.
        var path = Path.GetTempFileName();
        await File.WriteAllTextAsync(path, csv, TestContext.CancellationToken);
        using var data = await TabularDataset.OpenAsync(path, "species", "classification",
            new DatasetSplit(ValidationFraction, Seed, ShuffleBufferRows: 10_000), TestContext.CancellationToken);
        File.Delete(path);
        var validation = data.ValidationBatches(int.MaxValue).Single();
        var width = data.FeatureNames.Count;
        var rows = validation.Features.Chunk(width).ToArray();
        using var infer = await gateway.PostAsJsonAsync($"/v2/models/{deployment}/infer", new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { rows.Length, width }, data = rows } },
        }, TestContext.CancellationToken);
        var served = await infer.OutputOfAsync();
        Assert.HasCount(rows.Length * classes.Length, served);

        // The same as the registered file run here with ONNX Runtime...
        using var session = new InferenceSession(onnx);
        using var input = OrtValue.CreateTensorValueFromMemory(rows.SelectMany(row => row).ToArray(), [rows.Length, width]);
        using var outputs = session.Run(new RunOptions(), ["input"], [input], ["output"]);
        ServingModels.AssertClose(outputs[0].GetTensorDataAsSpan<float>().ToArray(), served, "served logits against ONNX Runtime in the test");

        // ...and as accurate on those rows as the job reported (a row whose logits tie within the export's 1e-4 may flip).
        var correct = Enumerable.Range(0, rows.Length).Count(row =>
            classes[Enumerable.Range(0, classes.Length).MaxBy(column => served[row * classes.Length + column])] == data.Classes[(int)validation.Targets[row]]);
        Assert.AreEqual(reportedAccuracy, correct / (double)rows.Length, 1.0 / rows.Length, $"{correct} of {rows.Length} validation rows predicted right");
    }
}
