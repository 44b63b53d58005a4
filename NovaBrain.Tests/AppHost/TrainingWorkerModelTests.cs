using NovaBrain.AppHost.Infrastructure;
using NovaBrain.AppHost.Publishing;

namespace NovaBrain.Tests.AppHost;

[TestClass]
public sealed class TrainingWorkerModelTests
{
    [TestMethod]
    public async Task TrainingWorker_RunsTheTrainingProjectInTheWorkerRole_WithReplicasAfterTheApiHasMigrated()
    {
        await using var builder = await AppHostModel.BuildAsync(FakeServerBinaries.Settings());

        var api = builder.Single<ProjectResource>("training");
        var worker = builder.Single<ProjectResource>("training-worker");
        Assert.AreEqual(api.GetProjectMetadata().ProjectPath, worker.GetProjectMetadata().ProjectPath, "one project, two roles");
        Assert.AreEqual(2, worker.Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        CollectionAssert.Contains(worker.WaitsFor().ToList(), "training", "only the API migrates the database; workers start once it has");
        CollectionAssert.IsSubsetOf(new[] { ConnectionNames.TrainingDb, ConnectionNames.EventBus, ConnectionNames.Redis }, worker.WaitsFor().ToList());

        var workerEnv = await worker.EnvironmentAsync();
        var apiEnv = await api.EnvironmentAsync();
        Assert.AreEqual("Worker", workerEnv["Training__Role"]);
        Assert.IsFalse(apiEnv.ContainsKey("Training__Role"), "the API role is the default");
        Assert.IsFalse(workerEnv.ContainsKey("Training__Execution"), "a local run trains in the workers");
        foreach (var reference in new[] { "services__parameters__http__0", "services__model-registry__http__0", "ConnectionStrings__trainingdb" })
        {
            Assert.IsTrue(workerEnv.ContainsKey(reference), reference);
        }
        Assert.AreEqual("svc-training-worker", workerEnv["Identity__ClientId"]);

        var gateway = await builder.Single<ProjectResource>("gateway").EnvironmentAsync();
        Assert.IsTrue(gateway.ContainsKey("services__training__http__0"));
        Assert.IsFalse(gateway.Keys.Any(key => key.StartsWith("services__training-worker", StringComparison.Ordinal)), "nobody calls a worker");
    }

    [TestMethod]
    public async Task TrainingWorker_ReplicasAreConfigurable_AndTheGpuIsTheWorkers()
    {
        await using var builder = await AppHostModel.BuildAsync([.. FakeServerBinaries.Settings(), "NovaBrain:Training:WorkerReplicas=3"]);

        var worker = builder.Single<ProjectResource>("training-worker");
        Assert.AreEqual(3, worker.Annotations.OfType<ReplicaAnnotation>().Single().Replicas);
        Assert.AreEqual(1, worker.Annotations.OfType<GpuAnnotation>().Single().Count);
        Assert.IsFalse(builder.Single<ProjectResource>("training").Annotations.OfType<GpuAnnotation>().Any(), "the API needs no GPU");
    }

    [TestMethod]
    public async Task TrainingWorker_WithNoReplicas_IsRefused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            AppHostModel.BuildAsync([.. FakeServerBinaries.Settings(), "NovaBrain:Training:WorkerReplicas=0"]));

        StringAssert.Contains(error.Message, "NovaBrain:Training:WorkerReplicas is at least 1");
    }
}
