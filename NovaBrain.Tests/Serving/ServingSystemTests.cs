using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// Model serving on the running system: registry models deployed, called over the Open Inference Protocol through the
/// gateway and directly, updated under load and deleted; results checked against ONNX Runtime run in the test.
/// </summary>
[TestClass]
public sealed class ServingSystemTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Deploy_ThenInferThroughTheGateway_AsJsonAndBinary_GivesWhatOnnxRuntimeGives()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient(await system.FreshTokenAsync());
        var (model, files) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("mlp");

        var accepted = await gateway.DeployAsync(name, $"models:/{model}/1");
        Assert.AreEqual("Loading", accepted.State);
        var ready = await gateway.WaitForStateAsync(name, "Ready");
        Assert.IsTrue(ready.Ready);
        Assert.AreEqual((model, 1, "CPUExecutionProvider"), (ready.Serving!.Model, ready.Serving.Version, ready.Serving.Provider));
        // Every ONNX Runtime session of the process runs on one intra-op pool, a thread per core.
        Assert.AreEqual(new ThreadsBody(Environment.ProcessorCount, Shared: true), ready.Serving.Threads);

        var rows = ServingModels.RandomRows(2, seed: 5);
        var expected = ServingModels.RunDirectly(files[0], rows);
        using var json = await gateway.InferJsonAsync(name, rows, id: "request-42");
        var jsonBody = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        ServingModels.AssertClose(expected, await json.OutputOfAsync(), "JSON inference");
        Assert.AreEqual("request-42", jsonBody.GetProperty("id").GetString());
        Assert.AreEqual(name, jsonBody.GetProperty("model_name").GetString());
        Assert.AreEqual("1", jsonBody.GetProperty("model_version").GetString());
        CollectionAssert.AreEqual(new[] { 2, ServingModels.OutputWidth }, jsonBody.GetProperty("outputs")[0].GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());

        using var binary = await InferBinaryAsync(gateway, name, rows);
        Assert.AreEqual(HttpStatusCode.OK, binary.StatusCode, await binary.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var bytes = await binary.Content.ReadAsByteArrayAsync(TestContext.CancellationToken);
        var headerLength = int.Parse(binary.Headers.GetValues("Inference-Header-Content-Length").Single());
        var header = JsonDocument.Parse(bytes.AsMemory(0, headerLength)).RootElement.GetProperty("outputs")[0];
        Assert.AreEqual(expected.Length * sizeof(float), header.GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        ServingModels.AssertClose(expected, MemoryMarshal.Cast<byte, float>(bytes.AsSpan(headerLength)).ToArray(), "binary inference");

        var metadata = JsonDocument.Parse(await gateway.GetStringAsync($"/v2/models/{name}", TestContext.CancellationToken)).RootElement;
        Assert.AreEqual("onnxruntime_onnx", metadata.GetProperty("platform").GetString());
        CollectionAssert.AreEqual(new[] { "1" }, metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).ToArray());
        var input = metadata.GetProperty("inputs")[0];
        Assert.AreEqual(("input", "FP32"), (input.GetProperty("name").GetString(), input.GetProperty("datatype").GetString()));
        CollectionAssert.AreEqual(new long[] { -1, ServingModels.InputWidth }, input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray());
        Assert.AreEqual("CPUExecutionProvider", metadata.GetProperty("properties").GetProperty("provider").GetString());
    }

    [TestMethod]
    public async Task Infer_WithBadRequests_AnswersTheProtocolsErrorsWithTritonsStatusCodes()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, _) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}/1");
        await gateway.WaitForStateAsync(name, "Ready");
        var row = ServingModels.RandomRows(1, seed: 1);

        using (var unknown = await serving.InferJsonAsync("no-such-model", row))
        {
            await unknown.AssertProtocolErrorAsync(HttpStatusCode.NotFound, "unknown model");
        }
        using (var unknownVersion = await serving.InferJsonAsync(name, row, version: "9"))
        {
            await unknownVersion.AssertProtocolErrorAsync(HttpStatusCode.NotFound, "version 9");
        }
        await AssertBadRequestAsync(serving, name, new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 783 }, data = row[..783] } } }, "unexpected shape");
        await AssertBadRequestAsync(serving, name, new { inputs = new[] { new { name = "input", datatype = "INT32", shape = new[] { 1, 784 }, data = new int[784] } } }, "unexpected datatype");
        await AssertBadRequestAsync(serving, name, new { inputs = Array.Empty<object>() }, "input 'input' is missing");
        await AssertBadRequestAsync(serving, name, new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 784 }, data = row[..100] } } }, "elements");
        await AssertBadRequestAsync(serving, name, new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 784 }, data = row } }, outputs = new[] { new { name = "nope" } } }, "unexpected inference output");
        await AssertBadRequestAsync(serving, name, new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 33, 784 }, data = new float[33 * 784] } } }, "batch-size");
        using (var malformed = await serving.PostAsync($"/v2/models/{name}/infer", new StringContent("{\"inputs\": [", Encoding.UTF8, "application/json"), TestContext.CancellationToken))
        {
            await malformed.AssertProtocolErrorAsync(HttpStatusCode.BadRequest, "failed to parse the request JSON");
        }
    }

    [TestMethod]
    public async Task RollingUpdate_UnderContinuousLoad_LosesNoRequest_ThenServesTheNewVersion()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, files) = await gateway.RegisterMlpAsync(1, 2);
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}/1");
        await gateway.WaitForStateAsync(name, "Ready");
        var rows = ServingModels.RandomRows(1, seed: 9);
        var (first, second) = (ServingModels.RunDirectly(files[0], rows), ServingModels.RunDirectly(files[1], rows));

        using var stop = new CancellationTokenSource();
        var answers = new List<(HttpStatusCode Status, string Version, float[] Output)>();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await serving.InferJsonAsync(name, rows);
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                var answer = response.StatusCode == HttpStatusCode.OK
                    ? (response.StatusCode, body.GetProperty("model_version").GetString()!, body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray())
                    : (response.StatusCode, body.ToString(), []);
                lock (answers)
                {
                    answers.Add(answer);
                }
            }
        })).ToArray();

        await Task.Delay(500, TestContext.CancellationToken);
        using (var update = await gateway.PutAsJsonAsync($"{ServingClient.Deployments}/{name}", new { model = $"models:/{model}/2" }, TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.Accepted, update.StatusCode, await update.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        await gateway.WaitForStateAsync(name, "Ready", deployment => deployment.Serving?.Version == 2);
        await Eventually.ReturnsAsync(() => Task.FromResult(Count(answers, "2")), count => count >= 20, TimeSpan.FromSeconds(30), "answers from version 2");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var failures = answers.Where(answer => answer.Status != HttpStatusCode.OK).ToList();
        Assert.IsEmpty(failures, $"failed during the switch: {string.Join("; ", failures.Take(3))}");
        Assert.IsGreaterThan(0, Count(answers, "1"), "version 1 answered before the switch");
        foreach (var answer in answers)
        {
            ServingModels.AssertClose(answer.Version == "1" ? first : second, answer.Output, $"an answer of version {answer.Version}");
        }
        var lastSwitch = answers.FindLastIndex(answer => answer.Version == "1");
        Assert.IsTrue(answers.Skip(lastSwitch + 1).All(answer => answer.Version == "2"));

        var statistics = JsonDocument.Parse(await serving.GetStringAsync($"/v2/models/{name}/stats", TestContext.CancellationToken)).RootElement.GetProperty("model_stats")[0];
        Assert.AreEqual("2", statistics.GetProperty("version").GetString());
        Assert.IsGreaterThan(0, statistics.GetProperty("inference_count").GetInt64());
    }

    [TestMethod]
    public async Task Deployment_OfAnAlias_RollsToTheNewVersion_WhenTheAliasMoves()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient(await system.FreshTokenAsync());
        var (model, _) = await gateway.RegisterMlpAsync(1, 2);
        using (var first = await gateway.PutAsJsonAsync($"{RegistryClient.Models}/{model}/aliases/champion", new { version = 1 }, TestContext.CancellationToken))
        {
            Assert.IsTrue(first.IsSuccessStatusCode, await first.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}@champion");
        var ready = await gateway.WaitForStateAsync(name, "Ready");
        Assert.AreEqual(1, ready.Serving!.Version);

        using (var moved = await gateway.PutAsJsonAsync($"{RegistryClient.Models}/{model}/aliases/champion", new { version = 2 }, TestContext.CancellationToken))
        {
            Assert.IsTrue(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }

        var followed = await gateway.WaitForStateAsync(name, "Ready", deployment => deployment.Serving?.Version == 2);
        Assert.AreEqual($"models:/{model}@champion", followed.Model);
    }

    [TestMethod]
    public async Task RepositoryLoadAndUnload_DeployAndRemoveAModel_AndItsMetricsCarryModelVersionAndProvider()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, _) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("mlp");

        using (var load = await serving.PostAsJsonAsync($"/v2/repository/models/{name}/load", new { parameters = new { reference = $"models:/{model}/1" } }, TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.OK, load.StatusCode, await load.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        using (var index = await serving.PostAsJsonAsync("/v2/repository/index", new { ready = true }, TestContext.CancellationToken))
        {
            var entry = JsonDocument.Parse(await index.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement.EnumerateArray()
                .Single(entry => entry.GetProperty("name").GetString() == name);
            Assert.AreEqual(("1", "READY"), (entry.GetProperty("version").GetString(), entry.GetProperty("state").GetString()));
        }
        for (var i = 0; i < 3; i++)
        {
            using var infer = await serving.InferJsonAsync(name, ServingModels.RandomRows(2, seed: i));
            Assert.AreEqual(HttpStatusCode.OK, infer.StatusCode);
        }

        using var anonymous = new HttpClient { BaseAddress = system.App.GetEndpoint("model-serving", "http") };
        var metrics = await anonymous.GetStringAsync("/metrics", TestContext.CancellationToken);
        var counts = metrics.Split('\n').Where(line => line.StartsWith("nv_inference_count", StringComparison.Ordinal) && line.Contains($"model=\"{name}\"")).ToList();
        Assert.HasCount(1, counts, metrics);
        StringAssert.Contains(counts[0], "provider=\"CPUExecutionProvider\"");
        StringAssert.Contains(counts[0], "version=\"1\"");
        Assert.AreEqual(6, double.Parse(counts[0].Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture), counts[0]);

        using (var unload = await serving.PostAsync($"/v2/repository/models/{name}/unload", null, TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.OK, unload.StatusCode);
        }
        using var gone = await serving.GetAsync($"/v2/models/{name}/ready", TestContext.CancellationToken);
        await gone.AssertProtocolErrorAsync(HttpStatusCode.NotFound, "unknown model");
    }

    [TestMethod]
    public async Task Canary_TakesItsShareOfRequests_ThenPromotionMakesItThePrimary()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, _) = await gateway.RegisterMlpAsync(1, 2);
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}/1");
        await gateway.WaitForStateAsync(name, "Ready");

        using (var canary = await gateway.PutAsJsonAsync($"{ServingClient.Deployments}/{name}/canary", new { model = $"models:/{model}/2", percent = 30 }, TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.Accepted, canary.StatusCode, await canary.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        var withCanary = await gateway.WaitForStateAsync(name, "Ready", deployment => deployment.Canary?.State == "Ready");
        Assert.AreEqual((2, 30), (withCanary.Canary!.Version, withCanary.Canary.Percent));
        var metadata = JsonDocument.Parse(await serving.GetStringAsync($"/v2/models/{name}", TestContext.CancellationToken)).RootElement;
        CollectionAssert.AreEqual(new[] { "1", "2" }, metadata.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).ToArray());

        const int requests = 300;
        var versions = await VersionsAnsweringAsync(serving, name, requests);
        var share = versions.Count(version => version == "2") / (double)requests;
        Assert.IsTrue(share is > 0.19 and < 0.41, $"the canary took {share:P0} of the requests, not about 30%");
        Assert.IsTrue(versions.All(version => version is "1" or "2"));

        using (var promoted = await gateway.PostAsync($"{ServingClient.Deployments}/{name}/canary/promote", null, TestContext.CancellationToken))
        {
            var body = await promoted.ReadAsync<DeploymentBody>();
            Assert.AreEqual(2, body.Serving!.Version);
            Assert.IsNull(body.Canary);
        }
        CollectionAssert.AreEquivalent(Enumerable.Repeat("2", 20).ToArray(), await VersionsAnsweringAsync(serving, name, 20));
        using var noCanary = await gateway.DeleteAsync($"{ServingClient.Deployments}/{name}/canary", TestContext.CancellationToken);
        await noCanary.AssertProblemAsync(HttpStatusCode.NotFound, "canary-not-found");
    }

    private static async Task<string[]> VersionsAnsweringAsync(HttpClient serving, string name, int requests)
    {
        var rows = ServingModels.RandomRows(1, seed: 3);
        var versions = new string[requests];
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
        {
            using var response = await serving.InferJsonAsync(name, rows);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
            versions[i] = JsonDocument.Parse(body).RootElement.GetProperty("model_version").GetString()!;
        });
        return versions;
    }

    [TestMethod]
    public async Task Delete_UnloadsTheModel_AndItsNameIsUnknownAfterwards()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.FreshTokenAsync();
        using var gateway = system.CreateGatewayClient(token);
        using var serving = system.CreateServingClient(token);
        var (model, _) = await gateway.RegisterMlpAsync(1);
        var name = Auth.Accounts.Unique("mlp");
        await gateway.DeployAsync(name, $"models:/{model}/1");
        await gateway.WaitForStateAsync(name, "Ready");
        using (var ready = await serving.GetAsync($"/v2/models/{name}/ready", TestContext.CancellationToken))
        {
            Assert.IsTrue(JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement.GetProperty("ready").GetBoolean());
        }

        using (var deleted = await gateway.DeleteAsync($"{ServingClient.Deployments}/{name}", TestContext.CancellationToken))
        {
            Assert.AreEqual(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var status = await gateway.GetAsync($"{ServingClient.Deployments}/{name}", TestContext.CancellationToken))
        {
            await status.AssertProblemAsync(HttpStatusCode.NotFound, "deployment-not-found");
        }
        using var infer = await serving.InferJsonAsync(name, ServingModels.RandomRows(1, seed: 1));
        await infer.AssertProtocolErrorAsync(HttpStatusCode.NotFound, "unknown model");
        var index = JsonDocument.Parse(await (await serving.PostAsync("/v2/repository/index", null, TestContext.CancellationToken)).Content.ReadAsStringAsync(TestContext.CancellationToken)).RootElement;
        Assert.IsFalse(index.EnumerateArray().Any(entry => entry.GetProperty("name").GetString() == name));
    }

    [TestMethod]
    public async Task Deploy_OfAReferenceTheRegistryDoesNotKnow_Fails_WithTheReason()
    {
        var system = await RunningSystem.GetAsync();
        using var gateway = system.CreateGatewayClient(await system.FreshTokenAsync());
        var name = Auth.Accounts.Unique("mlp");

        await gateway.DeployAsync(name, "models:/no-such-model/1");
        var failed = await gateway.WaitForStateAsync(name, "Failed");

        Assert.IsFalse(failed.Ready);
        StringAssert.Contains(failed.Reason, "no-such-model");
        using var badReference = await gateway.PostAsJsonAsync(ServingClient.Deployments, new { name = Auth.Accounts.Unique("mlp"), model = "not-a-reference" }, TestContext.CancellationToken);
        await badReference.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-deployment");
        using var again = await gateway.PostAsJsonAsync(ServingClient.Deployments, new { name, model = "models:/no-such-model/1" }, TestContext.CancellationToken);
        await again.AssertProblemAsync(HttpStatusCode.Conflict, "deployment-exists");
    }

    private static int Count(List<(HttpStatusCode Status, string Version, float[] Output)> answers, string version)
    {
        lock (answers)
        {
            return answers.Count(answer => answer.Version == version);
        }
    }

    private async Task AssertBadRequestAsync(HttpClient serving, string name, object body, string containing)
    {
        using var response = await serving.PostAsJsonAsync($"/v2/models/{name}/infer", body, TestContext.CancellationToken);
        await response.AssertProtocolErrorAsync(HttpStatusCode.BadRequest, containing);
    }

    private async Task<HttpResponseMessage> InferBinaryAsync(HttpClient client, string name, float[] rows)
    {
        var data = MemoryMarshal.AsBytes(rows.AsSpan()).ToArray();
        var header = JsonSerializer.SerializeToUtf8Bytes(new
        {
            inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { rows.Length / ServingModels.InputWidth, ServingModels.InputWidth }, parameters = new Dictionary<string, object> { ["binary_data_size"] = data.Length } } },
            parameters = new Dictionary<string, object> { ["binary_data_output"] = true },
        });
        var content = new ByteArrayContent([.. header, .. data]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", header.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return await client.PostAsync($"/v2/models/{name}/infer", content, TestContext.CancellationToken);
    }
}
