using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Training;

/// <summary>Training jobs on the running system, through the gateway: a CSV → a job → a registered, validated ONNX model.</summary>
[TestClass]
public sealed class TrainingJobsTests
{
    private const string Jobs = "/api/training/v1/jobs";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Templates_ListTheBuiltInMlps_WithTheirSchemas()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        var templates = await admin.GetAsync<JsonElement>("/api/training/v1/templates");
        var names = templates.EnumerateArray().Select(template => template.GetProperty("name").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "mlp-classifier", "mlp-regressor" }, names);

        var classifier = await admin.GetAsync<JsonElement>("/api/training/v1/templates/mlp-classifier");
        var learningRate = classifier.GetProperty("hyperparameters").EnumerateArray().Single(spec => spec.GetProperty("name").GetString() == "learningRate");
        Assert.AreEqual(("number", 0.01), (learningRate.GetProperty("type").GetString(), learningRate.GetProperty("default").GetDouble()));

        using var missing = await admin.GetAsync("/api/training/v1/templates/transformer", TestContext.CancellationToken);
        await missing.AssertProblemAsync(HttpStatusCode.NotFound, "template-not-found");
    }

    [TestMethod]
    public async Task Submit_WithBrokenHyperparametersAndFields_Returns400NamingEachFieldAndRule()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();

        using var response = await admin.PostAsJsonAsync(Jobs, new
        {
            template = "mlp-classifier",
            hyperparameters = new { learningRate = 5, optimizer = "rmsprop", momentum = 0.9 },
            dataset = "sha256:nothex",
            labelColumn = "label",
            modelName = "Upper Case",
            device = "tpu",
            priority = 12,
        }, TestContext.CancellationToken);

        var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, body);
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        StringAssert.Contains(errors.GetProperty("hyperparameters.learningRate")[0].GetString(), "from 1E-06 to 1");
        StringAssert.Contains(errors.GetProperty("hyperparameters.optimizer")[0].GetString(), "one of adam, sgd");
        StringAssert.Contains(errors.GetProperty("hyperparameters.momentum")[0].GetString(), "no hyperparameter 'momentum'");
        foreach (var field in new[] { "dataset", "modelName", "device", "priority" })
        {
            Assert.IsTrue(errors.TryGetProperty(field, out _), $"{field} is named: {errors}");
        }

        using var unknownDataset = await admin.PostAsJsonAsync(Jobs, new
        {
            template = "mlp-regressor",
            dataset = $"sha256:{new string('0', 64)}",
            labelColumn = "y",
            modelName = "never-trained",
        }, TestContext.CancellationToken);
        await unknownDataset.AssertProblemAsync(HttpStatusCode.BadRequest, "dataset-not-found");
    }

    [TestMethod]
    public async Task Job_OnACsvDataset_SucceedsAndRegistersAValidatedOnnxModelThatPredictsTheRule()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.ClassificationCsv(800, seed: 21));
        var modelName = Accounts.Unique("iris").ToLowerInvariant();

        var submitted = await SubmitAsync(admin, dataset, modelName, new { hiddenLayers = new[] { 16 }, epochs = 12, learningRate = 0.03, checkpointEvery = 4, seed = 5 });
        Assert.AreEqual("Queued", submitted.GetProperty("state").GetString());
        var id = submitted.GetProperty("id").GetString()!;

        var (states, progress) = await FollowEventsAsync(admin, id, TimeSpan.FromMinutes(4));
        Assert.AreEqual("Succeeded", states[^1].GetProperty("state").GetString(), states[^1].ToString());
        CollectionAssert.AreEqual(Enumerable.Range(1, 12).ToList(), progress.Select(epoch => epoch.GetProperty("epoch").GetInt32()).ToList());

        var job = await admin.GetAsync<JsonElement>($"{Jobs}/{id}");
        Assert.AreEqual(1, job.GetProperty("attempts").GetInt32());
        Assert.AreEqual(8, job.GetProperty("checkpointEpoch").GetInt32());
        Assert.IsNotNull(job.GetProperty("worker").GetString());
        Assert.IsLessThanOrEqualTo(job.GetProperty("finishedAt").GetDateTimeOffset(), job.GetProperty("startedAt").GetDateTimeOffset());
        var modelVersion = job.GetProperty("modelVersion").GetInt32();

        var version = await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{modelName}/versions/{modelVersion}");
        Assert.AreEqual(("onnx", "passed"), (version.Format, version.Validation.Status));
        Assert.IsGreaterThan(0.8, version.Metrics["val_accuracy"], "three classes: chance is about 0.33");
        Assert.IsLessThanOrEqualTo(1e-4, version.Metrics["onnx_max_abs_diff"]);
        Assert.AreEqual(("16", "5"), (version.Params["hiddenLayers"], version.Params["seed"]));
        Assert.AreEqual((id, "mlp-classifier@1"), (version.Lineage.TrainingJob, version.Lineage.Template));
        CollectionAssert.AreEqual(new[] { dataset }, version.Lineage.Datasets);
        CollectionAssert.AreEqual(new[] { job.GetProperty("weightsParameterSet").GetString() }, version.Lineage.ParameterSets);
        Assert.AreEqual("setosa,versicolor,virginica", version.Tags["classes"]);

        // The registered artifact, run here with ONNX Runtime, predicts the rule the data was made from on fresh rows.
        using var artifact = await admin.GetAsync($"/api/params/v1/blobs/{version.Artifact.Digest}", TestContext.CancellationToken);
        using var session = new InferenceSession(await artifact.Content.ReadAsByteArrayAsync(TestContext.CancellationToken));
        var fresh = TrainingData.ClassificationCsv(300, seed: 99).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(',')).ToArray();
        var inputs = fresh.SelectMany(cells => cells[..4].Select(cell => float.Parse(cell, CultureInfo.InvariantCulture))).ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(inputs, [fresh.Length, 4]))]);
        var logits = results.Single().AsTensor<float>();
        var classes = version.Tags["classes"].Split(',');
        var correct = Enumerable.Range(0, fresh.Length)
            .Count(row => classes[Enumerable.Range(0, 3).MaxBy(column => logits[row, column])] == fresh[row][4]);
        Assert.IsGreaterThan(0.8, correct / (double)fresh.Length, $"{correct} of {fresh.Length} fresh rows predicted right");
    }

    [TestMethod]
    public async Task Cancel_ARunningJob_StopsIt_OnlyForItsOwner()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.RegressionCsv(2000, seed: 4));
        var submitted = await SubmitAsync(admin, dataset, Accounts.Unique("long").ToLowerInvariant(),
            new { epochs = 10000, batchSize = 1, earlyStoppingPatience = 0 }, template: "mlp-regressor", label: "y");
        var id = submitted.GetProperty("id").GetString()!;
        await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() != "Queued", TimeSpan.FromMinutes(3), "the job to start");

        var stranger = await system.CreateUserAsync("ml-engineer");
        using var strangerClient = system.CreateGatewayClient(await system.TokenOfAsync(stranger));
        using var refused = await strangerClient.PostAsync($"{Jobs}/{id}/cancel", null, TestContext.CancellationToken);
        await refused.AssertProblemAsync(HttpStatusCode.Forbidden, "not-your-job");

        using var cancel = await admin.PostAsync($"{Jobs}/{id}/cancel", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode, await cancel.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var cancelled = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() == "Cancelled", TimeSpan.FromSeconds(30), "the job to be cancelled");
        Assert.AreEqual(JsonValueKind.Null, cancelled.GetProperty("modelVersion").ValueKind);
    }

    [TestMethod]
    public async Task Job_WithAMissingLabelColumn_FailsWithTheReason()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.RegressionCsv(50, seed: 8));
        var submitted = await SubmitAsync(admin, dataset, Accounts.Unique("bad").ToLowerInvariant(), new { epochs = 2 }, template: "mlp-regressor", label: "price");
        var id = submitted.GetProperty("id").GetString()!;

        var failed = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() is "Failed" or "Succeeded", TimeSpan.FromMinutes(3), "the job to fail");
        Assert.AreEqual("Failed", failed.GetProperty("state").GetString());
        StringAssert.Contains(failed.GetProperty("failureReason").GetString(), "no column 'price'");
    }

    [TestMethod]
    [DoNotParallelize]
    public async Task Job_WhoseWorkerIsKilled_ResumesFromItsCheckpoint_AndEndsAsAnUninterruptedRun()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var csv = TrainingData.ClassificationCsv(3000, seed: 31);
        var dataset = await UploadAsync(admin, csv);
        var settings = new { hiddenLayers = new[] { 32, 16 }, epochs = 60, batchSize = 4, checkpointEvery = 5, earlyStoppingPatience = 0, seed = 9 };
        var submitted = await SubmitAsync(admin, dataset, Accounts.Unique("crash").ToLowerInvariant(), settings);
        var id = submitted.GetProperty("id").GetString()!;

        var checkpointed = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("checkpointEpoch").GetInt32() >= 5 || job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled",
            TimeSpan.FromMinutes(3), "a first checkpoint");
        Assert.AreEqual("Running", checkpointed.GetProperty("state").GetString(), "the job must still be running when its worker is killed");
        // The worker that claimed the job is named host/process id (a training-worker replica); another replica takes over.
        using (var worker = Process.GetProcessById(WorkerProcessId(checkpointed)))
        {
            StringAssert.Contains(File.ReadAllText($"/proc/{worker.Id}/cmdline"), "NovaBrain.Training", "a training worker");
            worker.Kill();
            await worker.WaitForExitAsync(TestContext.CancellationToken);
        }

        var finished = await Eventually.ReturnsAsync(() => admin.GetAsync<JsonElement>($"{Jobs}/{id}"),
            job => job.GetProperty("state").GetString() is "Succeeded" or "Failed" or "Cancelled", TimeSpan.FromMinutes(5), "the job to finish");
        await SetWorkersAsync(system, KnownResourceStates.TerminalStates, KnownResourceCommands.StartCommand);
        Assert.AreEqual("Succeeded", finished.GetProperty("state").GetString(), finished.ToString());
        Assert.AreEqual(2, finished.GetProperty("attempts").GetInt32());
        Assert.AreNotEqual(WorkerProcessId(checkpointed), WorkerProcessId(finished), "another worker finished it");

        var progress = await admin.GetAsync<JsonElement>($"{Jobs}/{id}/progress");
        var resumedAt = progress.EnumerateArray().First(epoch => epoch.GetProperty("attempt").GetInt32() == 2).GetProperty("epoch").GetInt32();
        Assert.IsTrue(resumedAt > 5 && (resumedAt - 1) % 5 == 0, $"attempt 2 starts right after a checkpoint, not at epoch {resumedAt}");

        // The same training without a crash, here in the test, ends with the same metrics.
        var template = NovaBrain.Training.Templates.BuiltInTemplates.Find("mlp-classifier", 1)!;
        var (hyperparameters, _) = NovaBrain.Training.Templates.HyperparameterValidator.Validate(template,
            JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(JsonSerializer.Serialize(settings)));
        using var data = await TrainingData.OpenAsync(csv, "species", "classification", hyperparameters!);
        using var uninterrupted = await NovaBrain.Training.Trainer.NetworkTrainer.TrainAsync(
            data, template, hyperparameters!, TorchSharp.torch.CPU, null, (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);
        var version = await admin.GetAsync<VersionBody>($"{RegistryClient.Models}/{finished.GetProperty("modelName").GetString()}/versions/{finished.GetProperty("modelVersion").GetInt32()}");
        foreach (var metric in new[] { "val_loss", "val_accuracy", "train_loss" })
        {
            Assert.AreEqual(uninterrupted.History[^1].Metrics[metric], version.Metrics[metric], 1e-4, metric);
        }
    }

    /// <summary>
    /// The training program in the Job role, as a Kubernetes Job's pod runs it: with the workers stopped, a submitted
    /// job waits (as one does once a worker has launched its Job), and the program, given the workers' environment and
    /// the job's id, runs exactly that job and exits 0, or 2 when the job fails for good, the code the Job's pod
    /// failure policy fails the Job on without retries.
    /// </summary>
    [TestMethod]
    [DoNotParallelize]
    public async Task JobRole_RunsTheOneJob_AndExitsWithTheCodeItsKubernetesJobActsOn()
    {
        var system = await RunningSystem.GetAsync();
        using var admin = await system.CreateAdminClientAsync();
        var dataset = await UploadAsync(admin, TrainingData.ClassificationCsv(400, seed: 12));
        var (command, environment) = LaunchOf(system.ServiceProcess((await WorkerInstancesAsync(system))[0]));

        await SetWorkersAsync(system, [KnownResourceStates.Running], KnownResourceCommands.StopCommand);
        try
        {
            var good = (await SubmitAsync(admin, dataset, Accounts.Unique("jobrole").ToLowerInvariant(), new { epochs = 4, checkpointEvery = 2, seed = 3 }))
                .GetProperty("id").GetString()!;
            var bad = (await SubmitAsync(admin, dataset, Accounts.Unique("jobrole-bad").ToLowerInvariant(), new { epochs = 2 }, label: "colour"))
                .GetProperty("id").GetString()!;
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.CancellationToken);
            Assert.AreEqual("Queued", (await admin.GetAsync<JsonElement>($"{Jobs}/{good}")).GetProperty("state").GetString(), "no worker runs jobs now");

            var (exitCode, pid, output) = await RunJobRoleAsync(command, environment, good);
            Assert.AreEqual(0, exitCode, output);
            var job = await admin.GetAsync<JsonElement>($"{Jobs}/{good}");
            Assert.AreEqual("Succeeded", job.GetProperty("state").GetString(), job.ToString());
            Assert.AreEqual(1, job.GetProperty("attempts").GetInt32());
            Assert.AreEqual(pid, WorkerProcessId(job), "the Job's process ran it");
            Assert.AreEqual(2, job.GetProperty("checkpointEpoch").GetInt32(), "checkpoints every 2 epochs; the last epoch ends in the model itself");
            Assert.AreEqual(JsonValueKind.Number, job.GetProperty("modelVersion").ValueKind);

            // A pod run again for a finished job (a retried pod, say) leaves it as it is.
            Assert.AreEqual(0, (await RunJobRoleAsync(command, environment, good)).ExitCode);
            Assert.AreEqual(1, (await admin.GetAsync<JsonElement>($"{Jobs}/{good}")).GetProperty("attempts").GetInt32());

            var (badExit, _, badOutput) = await RunJobRoleAsync(command, environment, bad);
            Assert.AreEqual(NovaBrain.Training.Worker.JobExitCodes.Unrecoverable, badExit, badOutput);
            var failed = await admin.GetAsync<JsonElement>($"{Jobs}/{bad}");
            Assert.AreEqual("Failed", failed.GetProperty("state").GetString());
            StringAssert.Contains(failed.GetProperty("failureReason").GetString(), "no column 'colour'");
        }
        finally
        {
            await SetWorkersAsync(system, KnownResourceStates.TerminalStates, KnownResourceCommands.StartCommand);
        }
    }

    /// <summary>
    /// The replicas of <c>training-worker</c>, by the ids their states and commands go by: watching resources first
    /// replays every resource's current state.
    /// </summary>
    private async Task<List<string>> WorkerInstancesAsync(RunningSystem system)
    {
        var instances = new HashSet<string>();
        using var replayed = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        replayed.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var update in system.App.ResourceNotifications.WatchAsync(replayed.Token))
            {
                if (update.Resource.Name == "training-worker")
                {
                    instances.Add(update.ResourceId);
                }
            }
        }
        catch (OperationCanceledException) when (!TestContext.CancellationToken.IsCancellationRequested)
        {
        }
        Assert.HasCount(2, instances, "the test system runs two worker replicas");
        return [.. instances.Order(StringComparer.Ordinal)];
    }

    /// <summary>Runs <paramref name="command"/> (stop or start) on every worker replica in one of <paramref name="states"/>, and waits for it.</summary>
    private async Task SetWorkersAsync(RunningSystem system, IEnumerable<string> states, string command)
    {
        foreach (var instance in await WorkerInstancesAsync(system))
        {
            if (!system.App.ResourceNotifications.TryGetCurrentState(instance, out var current) || !states.Contains(current.Snapshot.State?.Text))
            {
                continue;
            }

            var stopping = command == KnownResourceCommands.StopCommand;
            // A stop that Aspire fails outright ("Failed to stop resource") leaves the processes running: then the replica
            // and its launcher are killed, as a crash would end them, which stops the resource all the same.
            var process = stopping ? system.LauncherProcess(instance) : null;
            var result = await system.App.ResourceCommands.ExecuteCommandAsync(instance, command, TestContext.CancellationToken);
            var target = stopping ? KnownResourceStates.TerminalStates : [KnownResourceStates.Running];
            if (!await SettlesAsync(system, instance, target, TimeSpan.FromMinutes(stopping ? 1 : 2)))
            {
                if (process is null)
                {
                    Assert.Fail($"{command} {instance} did not take effect: {result.Message}");
                }
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
                Assert.IsTrue(await SettlesAsync(system, instance, target, TimeSpan.FromMinutes(1)), $"{instance} did not end even when killed");
            }
            process?.Dispose();
        }
        if (command == KnownResourceCommands.StartCommand)
        {
            await system.WaitUntilHealthyAsync("training-worker", TestContext.CancellationToken);
        }
    }

    /// <summary>Whether the worker replica reaches one of <paramref name="states"/> within <paramref name="limit"/>.</summary>
    private async Task<bool> SettlesAsync(RunningSystem system, string instance, IEnumerable<string> states, TimeSpan limit)
    {
        using var settled = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        settled.CancelAfter(limit);
        try
        {
            await system.App.ResourceNotifications.WaitForResourceAsync("training-worker",
                update => update.ResourceId == instance && states.Contains(update.Snapshot.State?.Text), settled.Token);
            return true;
        }
        catch (OperationCanceledException) when (!TestContext.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>A worker's command line and environment, made the Job role's: the role and the job, and any free port.</summary>
    private static (string[] Command, Dictionary<string, string> Environment) LaunchOf(Process worker)
    {
        var command = File.ReadAllText($"/proc/{worker.Id}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var environment = File.ReadAllText($"/proc/{worker.Id}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(variable => variable.Split('=', 2))
            .Where(pair => !pair[0].StartsWith("Kestrel__Endpoints__", StringComparison.Ordinal) && pair[0] is not ("ASPNETCORE_HTTP_PORTS" or "HTTP_PORTS"))
            .ToDictionary(pair => pair[0], pair => pair[1]);
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["Training__Role"] = "Job";
        return (command, environment);
    }

    private async Task<(int ExitCode, int ProcessId, string Output)> RunJobRoleAsync(string[] command, Dictionary<string, string> environment, string jobId)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["Training__JobId"] = jobId;

        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        lock (output)
        {
            return (process.ExitCode, process.Id, output.ToString());
        }
    }

    /// <summary>The process id in a job's <c>worker</c> (<c>host/pid</c>, or <c>host/pid/slot</c> with several slots).</summary>
    private static int WorkerProcessId(JsonElement job) =>
        int.Parse(job.GetProperty("worker").GetString()!.Split('/')[1], CultureInfo.InvariantCulture);

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

    private async Task<JsonElement> SubmitAsync(
        HttpClient client, string dataset, string modelName, object hyperparameters, string template = "mlp-classifier", string label = "species")
    {
        using var response = await client.PostAsJsonAsync(Jobs, new { template, hyperparameters, dataset, labelColumn = label, modelName, device = "cuda" },
            TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return await response.ReadAsync<JsonElement>();
    }

    /// <summary>Reads the job's server-sent events until the stream ends, which it does when the job has finished.</summary>
    private async Task<(List<JsonElement> States, List<JsonElement> Progress)> FollowEventsAsync(HttpClient client, string id, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        deadline.CancelAfter(timeout);
        using var response = await client.GetAsync($"{Jobs}/{id}/events", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.AreEqual("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var (states, progress) = (new List<JsonElement>(), new List<JsonElement>());
        await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(deadline.Token))
        {
            (item.EventType == "state" ? states : progress).Add(JsonDocument.Parse(item.Data).RootElement.Clone());
        }
        return (states, progress);
    }
}
