extern alias ModelServing;

using ModelServing::NovaBrain.ModelServing.Batching;
using ModelServing::NovaBrain.ModelServing.Engines;
using ModelServing::NovaBrain.ModelServing.Metrics;
using ModelServing::NovaBrain.ModelServing.Protocol;

namespace NovaBrain.Tests.Serving;

/// <summary>The dynamic batcher over a real ONNX Runtime engine: stacking and splitting, overload, cancellation, retirement.</summary>
[TestClass]
public sealed class DynamicBatcherTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ConcurrentRequests_RunInFewerExecutions_AndEachGetsTheRowsItsOwnRunWouldGive()
    {
        var model = ServingModels.WriteMlp(seed: 3);
        using var engine = OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger());
        var statistics = Statistics();
        await using var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 16, delay: TimeSpan.FromMilliseconds(5)), statistics, new RecordingLogger());

        var inputs = Enumerable.Range(0, 48).Select(i => ServingModels.RandomRows(1 + i % 3, seed: 100 + i)).ToArray();
        var works = inputs.Select(input => new InferenceWork([ServingModels.Input(input)], ["output"], input.Length / ServingModels.InputWidth, null, CancellationToken.None)).ToArray();
        await Task.WhenAll(works.Select(work => Task.Run(() => Assert.AreEqual(SubmitResult.Queued, batcher.Submit(work)), TestContext.CancellationToken)));
        var results = await Task.WhenAll(works.Select(work => work.Result)).WaitAsync(Patience, TestContext.CancellationToken);

        for (var i = 0; i < inputs.Length; i++)
        {
            var output = results[i].Single();
            CollectionAssert.AreEqual(new long[] { inputs[i].Length / ServingModels.InputWidth, ServingModels.OutputWidth }, output.Shape, $"request {i}");
            ServingModels.AssertClose(ServingModels.RunDirectly(model, inputs[i]), ServingModels.Floats(output), $"request {i}");
        }
        var rows = inputs.Sum(input => input.Length / ServingModels.InputWidth);
        Assert.AreEqual(rows, statistics.InferenceCount);
        Assert.IsLessThan(inputs.Length, statistics.ExecutionCount, "concurrent requests share executions");
        Assert.AreEqual(inputs.Length, statistics.Success.Count);
    }

    [TestMethod]
    public async Task FullQueue_RefusesAtOnce_AndTheQueuedRequestsStillComplete()
    {
        var model = ServingModels.WriteMlp();
        using var engine = new GatedEngine(OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger()));
        var statistics = Statistics();
        await using var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 1, queueSize: 2), statistics, new RecordingLogger());

        var running = Work(1);
        Assert.AreEqual(SubmitResult.Queued, batcher.Submit(running));
        Assert.IsTrue(await engine.Entered.WaitAsync(Patience, TestContext.CancellationToken), "a run started");
        var queued = new[] { Work(2), Work(3) };
        foreach (var work in queued)
        {
            Assert.AreEqual(SubmitResult.Queued, batcher.Submit(work));
        }

        Assert.AreEqual(SubmitResult.QueueFull, batcher.Submit(Work(4)));

        engine.Open();
        await Task.WhenAll(queued.Append(running).Select(work => work.Result)).WaitAsync(Patience, TestContext.CancellationToken);
        Assert.AreEqual(3, statistics.ExecutionCount);
        Assert.AreEqual(1, statistics.Failure.Count, "the refused request counts as failed (REJECTED)");
    }

    [TestMethod]
    public async Task RequestWhoseCallerHasGone_IsDroppedBeforeItIsComputed()
    {
        var model = ServingModels.WriteMlp();
        using var engine = new GatedEngine(OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger()));
        var statistics = Statistics();
        await using var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 8), statistics, new RecordingLogger());

        var running = Work(1);
        batcher.Submit(running);
        Assert.IsTrue(await engine.Entered.WaitAsync(Patience, TestContext.CancellationToken), "a run started");
        using var caller = new CancellationTokenSource();
        var abandoned = Work(2, rows: 2, aborted: caller.Token);
        var kept = Work(3);
        batcher.Submit(abandoned);
        batcher.Submit(kept);
        await caller.CancelAsync();

        engine.Open();
        var failure = await Assert.ThrowsExactlyAsync<InferenceException>(() => abandoned.Result.WaitAsync(Patience, TestContext.CancellationToken));
        Assert.AreEqual(InferenceError.Cancelled, failure.Error);
        await kept.Result.WaitAsync(Patience, TestContext.CancellationToken);
        Assert.AreEqual(2, engine.Runs);
        Assert.AreEqual(2, statistics.InferenceCount, "only the rows of the two live requests were computed");
    }

    [TestMethod]
    public async Task RequestPastItsTimeout_IsRefusedWithoutBeingComputed()
    {
        var model = ServingModels.WriteMlp();
        using var engine = new GatedEngine(OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger()));
        await using var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 8), Statistics(), new RecordingLogger());

        batcher.Submit(Work(1));
        Assert.IsTrue(await engine.Entered.WaitAsync(Patience, TestContext.CancellationToken), "a run started");
        var impatient = Work(2, timeout: TimeSpan.FromMilliseconds(1));
        batcher.Submit(impatient);
        await Task.Delay(50, TestContext.CancellationToken);
        engine.Open();

        var failure = await Assert.ThrowsExactlyAsync<InferenceException>(() => impatient.Result.WaitAsync(Patience, TestContext.CancellationToken));
        Assert.AreEqual(InferenceError.Unavailable, failure.Error);
        Assert.AreEqual(1, engine.Runs);
    }

    [TestMethod]
    public async Task Closing_FinishesQueuedRequests_AndRefusesNewOnes()
    {
        var model = ServingModels.WriteMlp();
        using var engine = new GatedEngine(OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger()));
        var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 1), Statistics(), new RecordingLogger());

        var running = Work(1);
        var queued = Work(2);
        batcher.Submit(running);
        Assert.IsTrue(await engine.Entered.WaitAsync(Patience, TestContext.CancellationToken), "a run started");
        batcher.Submit(queued);
        var closing = batcher.DisposeAsync().AsTask();

        Assert.AreEqual(SubmitResult.Closed, batcher.Submit(Work(3)));
        Assert.IsFalse(closing.IsCompleted, "closing waits for the requests it has");
        engine.Open();
        await closing.WaitAsync(Patience, TestContext.CancellationToken);
        Assert.IsTrue(running.Result.IsCompletedSuccessfully);
        Assert.IsTrue(queued.Result.IsCompletedSuccessfully);
    }

    [TestMethod]
    public async Task HigherPriorityRequests_AreComputedBeforeEarlierLowerPriorityOnes()
    {
        var model = ServingModels.WriteMlp();
        using var engine = new GatedEngine(OnnxRuntimeEngine.Load(model, ServingModels.CpuOnly, new RecordingLogger()));
        await using var batcher = new DynamicBatcher([engine], Settings(maxBatchSize: 1, priorityLevels: 2, defaultPriority: 2), Statistics(), new RecordingLogger());

        batcher.Submit(Work(1));
        Assert.IsTrue(await engine.Entered.WaitAsync(Patience, TestContext.CancellationToken), "a run started");
        var usual = Work(2);
        var urgent = Work(3, priority: 1);
        batcher.Submit(usual);
        batcher.Submit(urgent);
        engine.Open();

        await Task.WhenAll(usual.Result, urgent.Result).WaitAsync(Patience, TestContext.CancellationToken);
        Assert.HasCount(3, engine.Computed);
        CollectionAssert.AreEqual(urgent.Inputs[0].Data.ToArray(), engine.Computed[1], "the priority 1 request, queued last, is computed first");
        CollectionAssert.AreEqual(usual.Inputs[0].Data.ToArray(), engine.Computed[2]);
    }

    private static InferenceWork Work(int seed, int rows = 1, TimeSpan? timeout = null, CancellationToken aborted = default, int priority = 0) =>
        new([ServingModels.Input(ServingModels.RandomRows(rows, seed))], ["output"], rows, timeout, aborted, priority);

    private static BatchingSettings Settings(int maxBatchSize, TimeSpan? delay = null, int queueSize = 1024, int priorityLevels = 1, int defaultPriority = 1) =>
        new(maxBatchSize, [], delay ?? TimeSpan.Zero, queueSize, DefaultTimeout: null, priorityLevels, defaultPriority);

    private static ModelStatistics Statistics() => new(ServingModels.Metrics(), "mlp", "1", "CPUExecutionProvider");

    /// <summary>The real engine behind a gate: each run signals <see cref="Entered"/> and waits until the test opens the gate.</summary>
    private sealed class GatedEngine(IInferenceEngine inner) : IInferenceEngine
    {
        private readonly TaskCompletionSource open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int runs;

        public SemaphoreSlim Entered { get; } = new(0);

        public int Runs => Volatile.Read(ref runs);

        /// <summary>The first input of each run, in the order the runs started.</summary>
        public List<byte[]> Computed { get; } = [];

        public string Platform => inner.Platform;

        public string Provider => inner.Provider;

        public EngineThreads Threads => inner.Threads;

        public IReadOnlyList<TensorSpec> Inputs => inner.Inputs;

        public IReadOnlyList<TensorSpec> Outputs => inner.Outputs;

        public void Open() => open.TrySetResult();

        public EngineOutputs Run(IReadOnlyList<TensorData> inputs, IReadOnlyList<string> outputNames)
        {
            Interlocked.Increment(ref runs);
            lock (Computed)
            {
                Computed.Add(inputs[0].Data.ToArray());
            }
            Entered.Release();
            open.Task.Wait();
            return inner.Run(inputs, outputNames);
        }

        public void Dispose() => inner.Dispose();
    }
}
