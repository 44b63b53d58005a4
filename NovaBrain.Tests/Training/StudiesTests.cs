using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Training;

/// <summary>Hyperparameter studies on the running system, through the gateway: trials as real training jobs on the workers.</summary>
[TestClass]
public sealed class StudiesTests
{
    private const string Studies = "/api/training/v1/studies";
    private const string Jobs = "/api/training/v1/jobs";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Study_WithTpeAndTwoTrialsAtOnce_RunsItsFourTrials_AndReportsTheBestAndTheHistory()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.ClassificationCsv(300, seed: 21));

        var created = await CreateAsync(admin, new
        {
            template = "mlp-classifier",
            hyperparameters = new { hiddenLayers = new[] { 8 }, epochs = 4, earlyStoppingPatience = 0, seed = 2 },
            searchSpace = new Dictionary<string, object>
            {
                ["learningRate"] = new { type = "log-uniform", low = 1e-3, high = 0.1 },
                ["optimizer"] = new { type = "categorical", choices = new[] { "adam", "sgd" } },
            },
            objective = new { metric = "val_accuracy", direction = "maximize" },
            sampler = new { type = "tpe", seed = 3, startupTrials = 2 },
            budget = new { maxTrials = 4 },
            parallelism = 2,
            dataset,
            labelColumn = "species",
            modelName = Accounts.Unique("hpo").ToLowerInvariant(),
        });
        Assert.AreEqual("Running", created.GetProperty("state").GetString());
        Assert.AreEqual(1, created.GetProperty("trials").GetArrayLength(), "the first trial is queued with the study");
        var id = created.GetProperty("id").GetString()!;

        var study = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Studies}/{id}"),
            s => s.GetProperty("state").GetString() != "Running", TimeSpan.FromMinutes(5), "the study to finish");

        Assert.AreEqual("Succeeded", study.GetProperty("state").GetString(), study.ToString());
        StringAssert.Contains(study.GetProperty("endReason").GetString(), "4 trials");
        var trials = study.GetProperty("trials").EnumerateArray().ToList();
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, trials.Select(t => t.GetProperty("number").GetInt32()).ToArray());
        foreach (var trial in trials)
        {
            Assert.AreEqual("Succeeded", trial.GetProperty("state").GetString(), trial.ToString());
            var learningRate = trial.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble();
            Assert.IsTrue(learningRate is >= 1e-3 and <= 0.1, $"learning rate {learningRate}");
            CollectionAssert.Contains(new[] { "adam", "sgd" }, trial.GetProperty("hyperparameters").GetProperty("optimizer").GetString());
            var values = trial.GetProperty("intermediateValues").EnumerateArray().ToList();
            CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, values.Select(v => v.GetProperty("epoch").GetInt32()).ToArray());
            Assert.AreEqual(values[^1].GetProperty("value").GetDouble(), trial.GetProperty("objectiveValue").GetDouble(), "the objective is the last epoch's");

            // Each trial is a real job with the searched values on top of the shared ones.
            var job = await admin.GetAsync<JsonElement>($"{Jobs}/{trial.GetProperty("jobId").GetString()}");
            Assert.AreEqual(learningRate, job.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble());
            Assert.AreEqual(4, job.GetProperty("hyperparameters").GetProperty("epochs").GetInt32());
            Assert.AreEqual(job.GetProperty("modelVersion").GetInt32(), trial.GetProperty("modelVersion").GetInt32());
        }

        var best = trials.MaxBy(t => t.GetProperty("objectiveValue").GetDouble());
        Assert.AreEqual(best.GetProperty("number").GetInt32(), study.GetProperty("bestTrial").GetProperty("number").GetInt32());
        // Never more than two trials at once, and two at once from the start.
        var spans = trials.Select(t => (Created: t.GetProperty("createdAt").GetDateTimeOffset(), Finished: t.GetProperty("finishedAt").GetDateTimeOffset())).ToList();
        foreach (var (createdAt, _) in spans)
        {
            Assert.IsLessThanOrEqualTo(2, spans.Count(span => span.Created <= createdAt && span.Finished > createdAt), $"trials running at {createdAt:O}");
        }
        Assert.IsLessThan(spans[0].Finished, spans[1].Created, "trial 2 starts while trial 1 runs");

        var listed = await admin.GetAsync<JsonElement>($"{Studies}?state=Succeeded");
        var summary = listed.EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.AreEqual((4, best.GetProperty("number").GetInt32()), (summary.GetProperty("trialCount").GetInt32(), summary.GetProperty("bestTrial").GetProperty("number").GetInt32()));
    }

    [TestMethod]
    public async Task Study_WithTheMedianPruner_PrunesAClearlyBadTrial_AndEndsWithTheGrid()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.ClassificationCsv(400, seed: 13));

        // The grid runs the good learning rate first; the second one hardly moves the weights.
        var created = await CreateAsync(admin, new
        {
            template = "mlp-classifier",
            hyperparameters = new { hiddenLayers = new[] { 16 }, epochs = 60, batchSize = 4, optimizer = "sgd", earlyStoppingPatience = 0, checkpointEvery = 100 },
            searchSpace = new Dictionary<string, object> { ["learningRate"] = new { type = "categorical", choices = new[] { 0.05, 1e-6 } } },
            objective = new { metric = "val_loss", direction = "minimize" },
            sampler = new { type = "grid" },
            pruner = new { type = "median", warmupEpochs = 1 },
            budget = new { maxTrials = 5 },
            parallelism = 1,
            dataset,
            labelColumn = "species",
            modelName = Accounts.Unique("pruned").ToLowerInvariant(),
        });
        var id = created.GetProperty("id").GetString()!;

        var study = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Studies}/{id}"),
            s => s.GetProperty("state").GetString() != "Running", TimeSpan.FromMinutes(5), "the study to finish");

        Assert.AreEqual(("Succeeded", "Every point of the grid was tried."), (study.GetProperty("state").GetString(), study.GetProperty("endReason").GetString()), study.ToString());
        var trials = study.GetProperty("trials").EnumerateArray().ToList();
        Assert.HasCount(2, trials);
        var (good, bad) = (trials[0], trials[1]);
        Assert.AreEqual(("Succeeded", 60), (good.GetProperty("state").GetString(), good.GetProperty("intermediateValues").GetArrayLength()));
        Assert.AreEqual("Pruned", bad.GetProperty("state").GetString(), bad.ToString());
        Assert.AreEqual(1e-6, bad.GetProperty("hyperparameters").GetProperty("learningRate").GetDouble());
        Assert.IsLessThan(60, bad.GetProperty("intermediateValues").GetArrayLength(), "pruned before its last epoch");
        Assert.AreEqual(JsonValueKind.Null, bad.GetProperty("objectiveValue").ValueKind);
        Assert.AreEqual(1, study.GetProperty("bestTrial").GetProperty("number").GetInt32());

        var job = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{bad.GetProperty("jobId").GetString()}"),
            j => j.GetProperty("state").GetString() != "Running", TimeSpan.FromSeconds(30), "the pruned trial's job to stop");
        Assert.AreEqual("Cancelled", job.GetProperty("state").GetString());
    }

    [TestMethod]
    public async Task Create_WithABrokenSearchSpaceAndSettings_Returns400NamingEachFieldAndRule()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        using var response = await admin.PostAsJsonAsync(Studies, new
        {
            template = "mlp-classifier",
            hyperparameters = new { epochs = 3 },
            searchSpace = new Dictionary<string, object>
            {
                ["momentum"] = new { type = "uniform", low = 0.1, high = 0.9 },
                ["learningRate"] = new { type = "log-uniform", low = 1e-3, high = 5 },
                ["batchSize"] = new { type = "uniform", low = 8, high = 64 },
                ["optimizer"] = new { type = "categorical", choices = new[] { "adam", "rmsprop" } },
                ["epochs"] = new { type = "integer", low = 2, high = 5 },
                ["seed"] = new { type = "gaussian" },
            },
            objective = new { metric = "val_rmse", direction = "up" },
            sampler = new { type = "bayes" },
            pruner = new { type = "asha", reductionFactor = 1 },
            budget = new { maxTrials = 0 },
            parallelism = 0,
            dataset = "sha256:nothex",
            labelColumn = "species",
            modelName = "hpo",
        }, TestContext.CancellationToken);

        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        StringAssert.Contains(errors.GetProperty("searchSpace.momentum")[0].GetString(), "no hyperparameter 'momentum'");
        StringAssert.Contains(errors.GetProperty("searchSpace.learningRate")[0].GetString(), "must lie within it");
        StringAssert.Contains(errors.GetProperty("searchSpace.batchSize")[0].GetString(), "search it as integer or categorical");
        StringAssert.Contains(errors.GetProperty("searchSpace.optimizer")[0].GetString(), "\"rmsprop\"");
        StringAssert.Contains(errors.GetProperty("searchSpace.seed")[0].GetString(), "uniform, log-uniform, integer, categorical");
        StringAssert.Contains(errors.GetProperty("hyperparameters.epochs")[0].GetString(), "is searched");
        StringAssert.Contains(errors.GetProperty("objective.metric")[0].GetString(), "val_accuracy");
        foreach (var field in new[] { "objective.direction", "sampler.type", "pruner.reductionFactor", "budget.maxTrials", "parallelism" })
        {
            Assert.IsTrue(errors.TryGetProperty(field, out _), $"{field} is named: {errors}");
        }

        // The fields every trial's job shares are held to the job rules, and nothing is created.
        var valid = new
        {
            template = "mlp-regressor",
            searchSpace = new Dictionary<string, object> { ["epochs"] = new { type = "integer", low = 1, high = 3 } },
            objective = new { metric = "val_rmse", direction = "minimize" },
            budget = new { maxTrials = 2 },
            dataset = $"sha256:{new string('0', 64)}",
            labelColumn = "y",
            modelName = "Upper Case",
        };
        using var badModel = await admin.PostAsJsonAsync(Studies, valid, TestContext.CancellationToken);
        var badModelBody = await badModel.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, badModel.StatusCode, badModelBody);
        Assert.IsTrue(JsonDocument.Parse(badModelBody).RootElement.GetProperty("errors").TryGetProperty("modelName", out _), badModelBody);
        using var missingDataset = await admin.PostAsJsonAsync(Studies, valid with { modelName = "never-searched" }, TestContext.CancellationToken);
        await missingDataset.AssertProblemAsync(HttpStatusCode.BadRequest, "dataset-not-found");

        using var notAnId = await admin.GetAsync($"{Studies}/42", TestContext.CancellationToken);
        await notAnId.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-study-id");
        using var unknown = await admin.GetAsync($"{Studies}/{Guid.NewGuid()}", TestContext.CancellationToken);
        await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "study-not-found");
    }

    [TestMethod]
    public async Task Cancel_ARunningStudy_CancelsItsTrialsAndTheirJobs_OnlyForItsOwner()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.RegressionCsv(2000, seed: 6));
        var created = await CreateAsync(admin, new
        {
            template = "mlp-regressor",
            hyperparameters = new { epochs = 10000, batchSize = 1, earlyStoppingPatience = 0 },
            searchSpace = new Dictionary<string, object> { ["learningRate"] = new { type = "uniform", low = 0.001, high = 0.01 } },
            objective = new { metric = "val_mae", direction = "minimize" },
            budget = new { maxTrials = 10, timeLimitSeconds = 3600 },
            parallelism = 2,
            dataset,
            labelColumn = "y",
            modelName = Accounts.Unique("endless").ToLowerInvariant(),
        });
        var id = created.GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Studies}/{id}"),
            s => s.GetProperty("trials").GetArrayLength() == 2, TimeSpan.FromSeconds(30), "a second trial");

        var stranger = await system.CreateUserAsync("ml-engineer");
        using var strangerClient = system.CreateGatewayClient(await system.TokenOfAsync(stranger));
        using var refused = await strangerClient.PostAsync($"{Studies}/{id}/cancel", null, TestContext.CancellationToken);
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-study");

        using var cancel = await admin.PostAsync($"{Studies}/{id}/cancel", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode, await cancel.Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.AreEqual("Cancelled", (await cancel.ReadAsync<JsonElement>()).GetProperty("state").GetString());

        var study = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Studies}/{id}"),
            s => s.GetProperty("trials").EnumerateArray().All(t => t.GetProperty("state").GetString() == "Cancelled"), TimeSpan.FromSeconds(30), "every trial cancelled");
        foreach (var trial in study.GetProperty("trials").EnumerateArray())
        {
            await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{trial.GetProperty("jobId").GetString()}"),
                job => job.GetProperty("state").GetString() == "Cancelled", TimeSpan.FromSeconds(30), "the trial's job cancelled");
        }
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.CancellationToken);
        Assert.HasCount(2, (await admin.GetAsync<JsonElement>($"{Studies}/{id}")).GetProperty("trials").EnumerateArray().ToList(), "no trial after the cancellation");

        using var again = await admin.PostAsync($"{Studies}/{id}/cancel", null, TestContext.CancellationToken);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "study-finished");
    }

    [TestMethod]
    public async Task Study_PastItsTimeLimit_CancelsItsRunningTrials_AndEnds()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.RegressionCsv(1000, seed: 12));
        var created = await CreateAsync(admin, new
        {
            template = "mlp-regressor",
            hyperparameters = new { epochs = 10000, batchSize = 1, earlyStoppingPatience = 0 },
            searchSpace = new Dictionary<string, object> { ["seed"] = new { type = "integer", low = 1, high = 2 } },
            objective = new { metric = "val_rmse", direction = "minimize" },
            budget = new { maxTrials = 50, timeLimitSeconds = 5 },
            dataset,
            labelColumn = "y",
            modelName = Accounts.Unique("timed").ToLowerInvariant(),
        });
        var id = created.GetProperty("id").GetString()!;

        var study = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Studies}/{id}"),
            s => s.GetProperty("state").GetString() != "Running", TimeSpan.FromSeconds(60), "the study to end");

        Assert.AreEqual("Failed", study.GetProperty("state").GetString(), study.ToString());
        StringAssert.Contains(study.GetProperty("endReason").GetString(), "time budget of 5 seconds ran out");
        StringAssert.Contains(study.GetProperty("endReason").GetString(), "No trial succeeded");
        var trial = study.GetProperty("trials").EnumerateArray().Single();
        Assert.AreEqual("Cancelled", trial.GetProperty("state").GetString());
        await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{trial.GetProperty("jobId").GetString()}"),
            job => job.GetProperty("state").GetString() == "Cancelled", TimeSpan.FromSeconds(30), "the trial's job cancelled");
    }

    private async Task<JsonElement> CreateAsync(HttpClient client, object study)
    {
        using var response = await client.PostAsJsonAsync(Studies, study, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return await response.ReadAsync<JsonElement>();
    }

    private async Task<string> UploadAsync(HttpClient client, string csv)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await client.PutAsync($"/api/params/v1/blobs/{digest}", content, TestContext.CancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return digest;
    }
}
