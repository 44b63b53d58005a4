using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using NovaBrain.Tests.Auth;
using NovaBrain.Tests.EndToEnd;
using NovaBrain.Tests.Registry;
using NovaBrain.Training.Grpc;
using TrainingJobsClient = NovaBrain.Training.Grpc.TrainingJobs.TrainingJobsClient;

namespace NovaBrain.Tests.Training;

/// <summary>Training jobs over gRPC (novabrain.training.v1.TrainingJobs) through the gateway's gRPC port.</summary>
[TestClass]
public sealed class TrainingGrpcTests
{
    private const string ReasonTrailer = "novabrain-problem-reason";

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task SubmitJob_ThenWatchJob_StreamsEachEpochAndEndsWhenTheJobHasSucceeded()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var channel = Channel(system);
        var training = Client(channel, token);
        using var admin = system.CreateGatewayClient(token);
        var dataset = await UploadCsvAsync(admin, TrainingData.ClassificationCsv(300, seed: 41), TestContext.CancellationToken);
        var modelName = Accounts.Unique("grpc").ToLowerInvariant();

        var submitted = await training.SubmitJobAsync(
            Submission(dataset, modelName, new { hiddenLayers = new[] { 8 }, epochs = 4, seed = 3 }), cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(("Queued", "mlp-classifier", 1, modelName), (submitted.State, submitted.Template, submitted.TemplateVersion, submitted.ModelName));
        Assert.AreEqual(4, submitted.Hyperparameters.Fields["epochs"].NumberValue);
        Assert.AreEqual(0.01, submitted.Hyperparameters.Fields["learningRate"].NumberValue, "defaults fill the hyperparameters left out");
        Assert.IsFalse(submitted.HasModelVersion);

        var (states, progress) = await WatchAsync(training, submitted.Id, TimeSpan.FromMinutes(4));

        var finished = states[^1];
        Assert.AreEqual("Succeeded", finished.State, finished.FailureReason);
        Assert.IsTrue(states.Take(states.Count - 1).All(state => state.State is "Queued" or "Running"), string.Join(", ", states.Select(state => state.State)));
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4 }, progress.Select(epoch => epoch.Epoch).ToArray());
        Assert.IsTrue(progress.All(epoch => epoch.Attempt == 1 && epoch.Metrics.ContainsKey("val_accuracy") && epoch.Loss > 0), progress[0].ToString());
        Assert.IsTrue(finished.HasModelVersion && finished.HasWorker && finished.StartedAt is not null && finished.FinishedAt is not null, finished.ToString());

        var reread = await training.GetJobAsync(new GetJobRequest { Id = submitted.Id }, cancellationToken: TestContext.CancellationToken);
        Assert.AreEqual(finished, reread);
        var succeeded = await training.ListJobsAsync(new ListJobsRequest { State = "Succeeded", Limit = 500 }, cancellationToken: TestContext.CancellationToken);
        CollectionAssert.Contains(succeeded.Jobs.Select(job => job.Id).ToList(), submitted.Id);
        Assert.IsTrue(succeeded.Jobs.All(job => job.State == "Succeeded"));
        var older = await training.ListJobsAsync(
            new ListJobsRequest { Before = submitted.CreatedAt, Limit = 500 }, cancellationToken: TestContext.CancellationToken);
        Assert.IsFalse(older.Jobs.Any(job => job.Id == submitted.Id), "before excludes the job itself");

        // The REST API reads the same job.
        var overRest = await admin.GetAsync<JsonElement>($"/api/training/v1/jobs/{submitted.Id}");
        Assert.AreEqual(finished.ModelVersion, overRest.GetProperty("modelVersion").GetInt32());
    }

    [TestMethod]
    public async Task CancelJob_OnlyByItsOwner_EndsTheWatchWithCancelled()
    {
        var system = await RunningSystem.GetAsync();
        var token = await system.AdminTokenAsync();
        using var channel = Channel(system);
        var training = Client(channel, token);
        using var admin = system.CreateGatewayClient(token);
        var dataset = await UploadCsvAsync(admin, TrainingData.RegressionCsv(1000, seed: 42), TestContext.CancellationToken);
        var submitted = await training.SubmitJobAsync(
            Submission(dataset, Accounts.Unique("endless").ToLowerInvariant(), new { epochs = 10000, batchSize = 1, earlyStoppingPatience = 0 },
                template: "mlp-regressor", label: "y"),
            cancellationToken: TestContext.CancellationToken);

        var stranger = Client(channel, await system.TokenOfAsync(await system.CreateUserAsync("ml-engineer")));
        await AssertRefusedAsync(
            stranger.CancelJobAsync(new CancelJobRequest { Id = submitted.Id }, cancellationToken: TestContext.CancellationToken),
            StatusCode.PermissionDenied, "not-your-job");

        var cancelled = await training.CancelJobAsync(new CancelJobRequest { Id = submitted.Id }, cancellationToken: TestContext.CancellationToken);
        Assert.IsTrue(cancelled.CancelRequested);
        var (states, _) = await WatchAsync(training, submitted.Id, TimeSpan.FromMinutes(1));
        Assert.AreEqual("Cancelled", states[^1].State);
        Assert.IsFalse(states[^1].HasModelVersion);

        await AssertRefusedAsync(
            training.CancelJobAsync(new CancelJobRequest { Id = Guid.NewGuid().ToString() }, cancellationToken: TestContext.CancellationToken),
            StatusCode.NotFound, "job-not-found");
    }

    [TestMethod]
    public async Task SubmitJob_WithBrokenFields_IsInvalidArgument_NamingEachFieldAndItsRule()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var training = Client(channel, await system.AdminTokenAsync());

        var refused = await AssertRefusedAsync(
            training.SubmitJobAsync(
                Submission($"sha256:{new string('0', 64)}", "Upper Case", new { learningRate = 5, optimizer = "rmsprop", epochs = 2.5 }),
                cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "invalid-request");
        StringAssert.Contains(refused.Status.Detail, "hyperparameters.learningRate: ");
        StringAssert.Contains(refused.Status.Detail, "from 1E-06 to 1");
        StringAssert.Contains(refused.Status.Detail, "hyperparameters.optimizer: ");
        StringAssert.Contains(refused.Status.Detail, "one of adam, sgd");
        StringAssert.Contains(refused.Status.Detail, "hyperparameters.epochs: 'epochs' is an integer");
        StringAssert.Contains(refused.Status.Detail, "modelName: ");

        await AssertRefusedAsync(
            training.SubmitJobAsync(Submission($"sha256:{new string('0', 64)}", "never-trained", new { }), cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "dataset-not-found");
        await AssertRefusedAsync(
            training.GetJobAsync(new GetJobRequest { Id = "42" }, cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "invalid-job-id");
        await AssertRefusedAsync(
            training.ListJobsAsync(new ListJobsRequest { Limit = 0 }, cancellationToken: TestContext.CancellationToken),
            StatusCode.InvalidArgument, "invalid-request");
        var watchUnknown = training.WatchJob(new WatchJobRequest { Id = Guid.NewGuid().ToString() }, cancellationToken: TestContext.CancellationToken);
        await AssertRefusedAsync(watchUnknown.ResponseStream.MoveNext(TestContext.CancellationToken), StatusCode.NotFound, "job-not-found");
    }

    [TestMethod]
    public async Task Calls_WithoutAToken_AreUnauthenticated_AndAViewerMayReadButNotSubmit()
    {
        var system = await RunningSystem.GetAsync();
        using var channel = Channel(system);
        var submission = Submission($"sha256:{new string('0', 64)}", "not-allowed", new { });

        var anonymous = new TrainingJobsClient(channel);
        await AssertRefusedAsync(anonymous.ListJobsAsync(new ListJobsRequest(), cancellationToken: TestContext.CancellationToken), StatusCode.Unauthenticated);
        await AssertRefusedAsync(anonymous.SubmitJobAsync(submission, cancellationToken: TestContext.CancellationToken), StatusCode.Unauthenticated);

        var viewer = Client(channel, await system.TokenOfAsync(await system.CreateUserAsync("viewer")));
        await viewer.ListJobsAsync(new ListJobsRequest { Limit = 1 }, cancellationToken: TestContext.CancellationToken);
        await AssertRefusedAsync(viewer.SubmitJobAsync(submission, cancellationToken: TestContext.CancellationToken), StatusCode.PermissionDenied);
        await AssertRefusedAsync(
            viewer.CancelJobAsync(new CancelJobRequest { Id = Guid.NewGuid().ToString() }, cancellationToken: TestContext.CancellationToken),
            StatusCode.PermissionDenied);
    }

    /// <summary>Uploads a CSV file to the parameter service's blob store; its digest is the dataset reference of a job.</summary>
    internal static async Task<string> UploadCsvAsync(HttpClient gateway, string csv, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        var digest = $"sha256:{Convert.ToHexStringLower(SHA256.HashData(bytes))}";
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await gateway.PutAsync($"/api/params/v1/blobs/{digest}", content, cancellationToken);
        Assert.IsTrue(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        return digest;
    }

    private static SubmitJobRequest Submission(
        string dataset, string modelName, object hyperparameters, string template = "mlp-classifier", string label = "species") => new()
    {
        Template = template,
        Hyperparameters = Struct.Parser.ParseJson(JsonSerializer.Serialize(hyperparameters)),
        Dataset = dataset,
        LabelColumn = label,
        ModelName = modelName,
    };

    /// <summary>Reads WatchJob until the stream ends, which it does when the job has finished.</summary>
    private async Task<(List<Job> States, List<Progress> Progress)> WatchAsync(TrainingJobsClient training, string id, TimeSpan timeout)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.CancellationToken);
        deadline.CancelAfter(timeout);
        using var watch = training.WatchJob(new WatchJobRequest { Id = id }, cancellationToken: deadline.Token);
        var (states, progress) = (new List<Job>(), new List<Progress>());
        await foreach (var item in watch.ResponseStream.ReadAllAsync(deadline.Token))
        {
            if (item.EventCase == JobEvent.EventOneofCase.State)
            {
                states.Add(item.State);
            }
            else
            {
                progress.Add(item.Progress);
            }
        }
        return (states, progress);
    }

    private static GrpcChannel Channel(RunningSystem system) => GrpcChannel.ForAddress($"http://localhost:{system.GatewayGrpcPort}");

    private static TrainingJobsClient Client(GrpcChannel channel, string token) =>
        new(channel.Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {token}");
            return metadata;
        }));

    /// <summary>Asserts the call fails with <paramref name="status"/> and, when given, the service's problem reason.</summary>
    private static async Task<RpcException> AssertRefusedAsync(Task call, StatusCode status, string? reason = null)
    {
        var refused = await Assert.ThrowsExactlyAsync<RpcException>(() => call);
        Assert.AreEqual(status, refused.StatusCode, refused.Status.Detail);
        if (reason is not null)
        {
            Assert.AreEqual(reason, refused.Trailers.GetValue(ReasonTrailer), refused.Status.Detail);
            Assert.StartsWith($"{reason}: ", refused.Status.Detail);
        }
        return refused;
    }

    private static Task<RpcException> AssertRefusedAsync<T>(AsyncUnaryCall<T> call, StatusCode status, string? reason = null) =>
        AssertRefusedAsync(call.ResponseAsync, status, reason);
}
