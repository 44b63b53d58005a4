using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using NovaBrain.ModelServing.Engines;
using NovaBrain.ModelServing.Metrics;
using NovaBrain.ModelServing.Protocol;

namespace NovaBrain.ModelServing.Batching;

/// <summary>
/// Queues one model version's requests and runs them on its engine instances, combining concurrent requests into one
/// execution: their inputs are stacked along the first dimension (one copy in) and each request gets its own rows of the
/// outputs back (one copy out), in arrival order within a priority level, higher levels first. A full queue refuses at
/// once; a request whose caller has gone or whose timeout has passed is dropped before it is computed. Closing lets
/// queued and running requests finish.
/// </summary>
public sealed class DynamicBatcher : IAsyncDisposable
{
    private readonly IReadOnlyList<IInferenceEngine> instances;
    private readonly BatchingSettings settings;
    private readonly ModelStatistics statistics;
    private readonly ILogger logger;
    private readonly Channel<InferenceWork> queue;
    // Only the batching loop touches these: arrivals sorted by priority level, the highest (1) at index 0.
    private readonly Queue<InferenceWork>[] levels;
    private int pending;
    private readonly Channel<IInferenceEngine> idle;
    private readonly HashSet<long> preferredSizes;
    private readonly bool batching;
    private readonly Task loop;
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int running;
    private InferenceWork? carried;

    public DynamicBatcher(IReadOnlyList<IInferenceEngine> instances, BatchingSettings settings, ModelStatistics statistics, ILogger logger)
    {
        if (instances.Count == 0)
        {
            throw new ArgumentException("A batcher needs at least one engine instance.", nameof(instances));
        }

        this.instances = instances;
        this.settings = settings;
        this.statistics = statistics;
        this.logger = logger;
        // Stacking needs a first dimension every input can vary in.
        batching = settings.MaxBatchSize > 1 && instances[0].Inputs.All(input => input.HasBatchDimension);
        preferredSizes = settings.PreferredBatchSizes.Select(size => (long)size).ToHashSet();
        queue = Channel.CreateUnbounded<InferenceWork>(new UnboundedChannelOptions { SingleReader = true });
        levels = Enumerable.Range(0, settings.PriorityLevels).Select(_ => new Queue<InferenceWork>()).ToArray();
        idle = Channel.CreateUnbounded<IInferenceEngine>();
        foreach (var instance in instances)
        {
            idle.Writer.TryWrite(instance);
        }
        loop = Task.Run(RunAsync);
    }

    /// <summary>Whether requests are stacked into shared executions (the model has a batch dimension and a max batch above 1).</summary>
    public bool IsBatching => batching;

    /// <summary>Queues <paramref name="work"/>; its <see cref="InferenceWork.Result"/> completes once computed or dropped.</summary>
    public SubmitResult Submit(InferenceWork work)
    {
        work.EnqueuedAt = Stopwatch.GetTimestamp();
        work.Level = Math.Clamp((work.Priority == 0 ? settings.DefaultPriorityLevel : work.Priority) - 1, 0, levels.Length - 1);
        if ((work.Timeout ?? settings.DefaultTimeout) is { } timeout)
        {
            work.Deadline = work.EnqueuedAt + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        }

        if (Interlocked.Increment(ref pending) > settings.MaxQueueSize && settings.MaxQueueSize > 0)
        {
            Interlocked.Decrement(ref pending);
            statistics.Failed(FailureReason.Rejected, TimeSpan.Zero);
            return SubmitResult.QueueFull;
        }
        statistics.Enqueued();
        if (queue.Writer.TryWrite(work))
        {
            return SubmitResult.Queued;
        }

        Interlocked.Decrement(ref pending);
        statistics.Dequeued();
        return SubmitResult.Closed;
    }

    /// <summary>Stops taking requests; those queued or running finish. Completes once the last has.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
        await drained.Task;
    }

    private async Task RunAsync()
    {
        Interlocked.Increment(ref running);
        try
        {
            while (true)
            {
                var instance = await idle.Reader.ReadAsync();
                var batch = await CollectAsync();
                if (batch is null)
                {
                    idle.Writer.TryWrite(instance);
                    return;
                }
                Interlocked.Increment(ref running);
                _ = Task.Run(() => Execute(instance, batch));
            }
        }
        finally
        {
            Finished();
        }
    }

    private void Finished()
    {
        if (Interlocked.Decrement(ref running) == 0)
        {
            drained.TrySetResult();
        }
    }

    /// <summary>The next batch: the oldest live request and as many compatible ones as fit, waiting at most the queue delay for more.</summary>
    private async ValueTask<List<InferenceWork>?> CollectAsync()
    {
        var first = TakeCarried() ?? await ReadLiveAsync();
        if (first is null)
        {
            return null;
        }

        var batch = new List<InferenceWork> { first };
        if (!batching)
        {
            return batch;
        }

        var rows = first.Rows;
        var deadline = first.EnqueuedAt + (long)(settings.MaxQueueDelay.TotalSeconds * Stopwatch.Frequency);
        while (rows < settings.MaxBatchSize && !preferredSizes.Contains(rows))
        {
            if (TryTakeNext(out var next))
            {
                if (Dropped(next))
                {
                    continue;
                }
                if (rows + next.Rows > settings.MaxBatchSize || !Stackable(first, next))
                {
                    carried = next;
                    break;
                }
                batch.Add(next);
                rows += next.Rows;
                continue;
            }

            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (wait <= TimeSpan.Zero)
            {
                break;
            }
            using var delay = new CancellationTokenSource(wait);
            try
            {
                if (!await queue.Reader.WaitToReadAsync(delay.Token))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return batch;
    }

    private InferenceWork? TakeCarried()
    {
        var work = carried;
        carried = null;
        return work is null || Dropped(work) ? null : work;
    }

    private async ValueTask<InferenceWork?> ReadLiveAsync()
    {
        do
        {
            while (TryTakeNext(out var work))
            {
                if (!Dropped(work))
                {
                    return work;
                }
            }
        }
        while (await queue.Reader.WaitToReadAsync());
        return null;
    }

    /// <summary>The oldest request of the highest priority level that has one, after sorting in what has arrived.</summary>
    private bool TryTakeNext([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out InferenceWork? work)
    {
        while (queue.Reader.TryRead(out var arrived))
        {
            levels[arrived.Level].Enqueue(arrived);
        }
        foreach (var level in levels)
        {
            if (level.TryDequeue(out work))
            {
                Interlocked.Decrement(ref pending);
                statistics.Dequeued();
                return true;
            }
        }
        work = null;
        return false;
    }

    /// <summary>Fails a request whose caller has gone or whose timeout has passed, so it is never computed.</summary>
    private bool Dropped(InferenceWork work)
    {
        var now = Stopwatch.GetTimestamp();
        if (work.Aborted.IsCancellationRequested)
        {
            statistics.Failed(FailureReason.Canceled, work.SinceEnqueued(now));
            work.Fail(new InferenceException(InferenceError.Cancelled, "The request was cancelled before it was computed."));
            return true;
        }
        if (work.Deadline < now)
        {
            statistics.Failed(FailureReason.Rejected, work.SinceEnqueued(now));
            work.Fail(new InferenceException(InferenceError.Unavailable, "Request timeout expired before the request was computed."));
            return true;
        }
        return false;
    }

    /// <summary>Whether two requests can share an execution: every input has the same shape beyond the batch dimension.</summary>
    private static bool Stackable(InferenceWork first, InferenceWork next)
    {
        for (var i = 0; i < first.Inputs.Count; i++)
        {
            if (!first.Inputs[i].Shape.AsSpan(1).SequenceEqual(next.Inputs[i].Shape.AsSpan(1)))
            {
                return false;
            }
        }
        return true;
    }

    private void Execute(IInferenceEngine instance, List<InferenceWork> batch)
    {
        var rented = new List<byte[]>();
        try
        {
            var started = Stopwatch.GetTimestamp();
            var inputs = batch.Count == 1 ? batch[0].Inputs : Stack(batch, rented);
            var outputNames = batch.Count == 1 ? batch[0].Outputs : batch.SelectMany(work => work.Outputs).Distinct(StringComparer.Ordinal).ToArray();
            var stacked = Stopwatch.GetTimestamp();

            using var outputs = instance.Run(inputs, outputNames);
            var computed = Stopwatch.GetTimestamp();

            var results = Split(batch, outputs, outputNames);
            var split = Stopwatch.GetTimestamp();

            var rows = batch.Sum(work => work.Rows);
            statistics.Executed(rows, Stopwatch.GetElapsedTime(started, stacked), Stopwatch.GetElapsedTime(stacked, computed), Stopwatch.GetElapsedTime(computed, split));
            for (var i = 0; i < batch.Count; i++)
            {
                statistics.Succeeded(batch[i].SinceEnqueued(split), Stopwatch.GetElapsedTime(batch[i].EnqueuedAt, started));
                batch[i].Complete(results[i]);
            }
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Executing a batch of {Requests} requests failed", batch.Count);
            var now = Stopwatch.GetTimestamp();
            foreach (var work in batch)
            {
                statistics.Failed(FailureReason.Backend, work.SinceEnqueued(now));
                work.Fail(new InferenceException(InferenceError.Internal, $"The model failed to run: {exception.Message}"));
            }
        }
        finally
        {
            foreach (var buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            idle.Writer.TryWrite(instance);
            Finished();
        }
    }

    /// <summary>Each input of the batch's requests, concatenated along the first dimension into a pooled buffer.</summary>
    private static TensorData[] Stack(List<InferenceWork> batch, List<byte[]> rented)
    {
        var first = batch[0].Inputs;
        var stacked = new TensorData[first.Count];
        for (var i = 0; i < first.Count; i++)
        {
            var size = 0;
            long rows = 0;
            foreach (var work in batch)
            {
                size += work.Inputs[i].Data.Length;
                rows += work.Inputs[i].Shape[0];
            }
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
            rented.Add(buffer);
            var offset = 0;
            foreach (var work in batch)
            {
                work.Inputs[i].Data.Span.CopyTo(buffer.AsSpan(offset));
                offset += work.Inputs[i].Data.Length;
            }
            stacked[i] = first[i] with { Shape = [rows, .. first[i].Shape.AsSpan(1)], Data = buffer.AsMemory(0, size) };
        }
        return stacked;
    }

    /// <summary>Each request's outputs: its own rows of every output it asked for, in the order it asked.</summary>
    private IReadOnlyList<TensorData>[] Split(List<InferenceWork> batch, EngineOutputs outputs, IReadOnlyList<string> outputNames)
    {
        var results = new IReadOnlyList<TensorData>[batch.Count];
        long firstRow = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var work = batch[i];
            var mine = new TensorData[work.Outputs.Count];
            for (var o = 0; o < work.Outputs.Count; o++)
            {
                var index = IndexOf(outputNames, work.Outputs[o]);
                mine[o] = batching ? outputs.CopyRows(index, firstRow, work.Rows) : outputs.CopyAll(index);
            }
            results[i] = mine;
            firstRow += work.Rows;
        }
        return results;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"Output '{name}' was not computed.");
    }
}
