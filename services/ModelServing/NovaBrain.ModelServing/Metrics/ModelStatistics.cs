using System.Collections.Concurrent;
using System.Diagnostics;

namespace NovaBrain.ModelServing.Metrics;

/// <summary>Why a request failed, as Triton labels <c>nv_inference_request_failure</c>.</summary>
public enum FailureReason
{
    Rejected,
    Canceled,
    Backend,
    Other,
}

/// <summary>
/// One served model version's cumulative statistics (the protocol's statistics extension) and its measurements on the
/// shared <see cref="ServingMetrics"/> instruments. Thread-safe; counters only grow.
/// </summary>
public sealed class ModelStatistics(ServingMetrics metrics, string model, string version, string provider)
{
    private readonly TagList tags = new() { { "model", model }, { "version", version }, { "provider", provider } };
    private readonly ConcurrentDictionary<long, BatchDurations> batches = new();

    private long lastInferenceMilliseconds;
    private long inferenceCount;
    private long executionCount;
    private Duration success;
    private Duration failure;
    private Duration queue;
    private Duration computeInput;
    private Duration computeInfer;
    private Duration computeOutput;

    public string Model => model;

    public string Version => version;

    public long LastInferenceMilliseconds => Interlocked.Read(ref lastInferenceMilliseconds);

    public long InferenceCount => Interlocked.Read(ref inferenceCount);

    public long ExecutionCount => Interlocked.Read(ref executionCount);

    public (long Count, long Nanoseconds) Success => success.Read();

    public (long Count, long Nanoseconds) Failure => failure.Read();

    public (long Count, long Nanoseconds) Queue => queue.Read();

    public (long Count, long Nanoseconds) ComputeInput => computeInput.Read();

    public (long Count, long Nanoseconds) ComputeInfer => computeInfer.Read();

    public (long Count, long Nanoseconds) ComputeOutput => computeOutput.Read();

    /// <summary>Per executed batch size: how many executions and how long each phase took.</summary>
    public IReadOnlyDictionary<long, BatchDurations> Batches => batches;

    public void Enqueued() => metrics.PendingRequests.Add(1, tags);

    public void Dequeued() => metrics.PendingRequests.Add(-1, tags);

    public void Succeeded(TimeSpan request, TimeSpan waited)
    {
        success.Add(request);
        queue.Add(waited);
        Interlocked.Exchange(ref lastInferenceMilliseconds, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        metrics.RequestSuccess.Add(1, tags);
        metrics.RequestDuration.Record(request.TotalMicroseconds, tags);
        metrics.QueueDuration.Record(waited.TotalMicroseconds, tags);
    }

    public void Failed(FailureReason reason, TimeSpan request)
    {
        failure.Add(request);
        var failed = tags;
        failed.Add("reason", reason.ToString().ToUpperInvariant());
        metrics.RequestFailure.Add(1, failed);
    }

    public void Executed(long batchSize, TimeSpan input, TimeSpan infer, TimeSpan output)
    {
        Interlocked.Add(ref inferenceCount, batchSize);
        Interlocked.Increment(ref executionCount);
        computeInput.Add(input);
        computeInfer.Add(infer);
        computeOutput.Add(output);
        batches.GetOrAdd(batchSize, _ => new BatchDurations()).Add(input, infer, output);
        metrics.InferenceCount.Add(batchSize, tags);
        metrics.ExecutionCount.Add(1, tags);
        metrics.ComputeInputDuration.Record(input.TotalMicroseconds, tags);
        metrics.ComputeInferDuration.Record(infer.TotalMicroseconds, tags);
        metrics.ComputeOutputDuration.Record(output.TotalMicroseconds, tags);
    }

    /// <summary>A count and a total duration, updated without a lock.</summary>
    public struct Duration
    {
        private long count;
        private long nanoseconds;

        public void Add(TimeSpan duration)
        {
            Interlocked.Increment(ref count);
            Interlocked.Add(ref nanoseconds, (long)(duration.Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond)));
        }

        public (long Count, long Nanoseconds) Read() => (Interlocked.Read(ref count), Interlocked.Read(ref nanoseconds));
    }

    public sealed class BatchDurations
    {
        private Duration input;
        private Duration infer;
        private Duration output;

        public (long Count, long Nanoseconds) Input => input.Read();

        public (long Count, long Nanoseconds) Infer => infer.Read();

        public (long Count, long Nanoseconds) Output => output.Read();

        public void Add(TimeSpan inputDuration, TimeSpan inferDuration, TimeSpan outputDuration)
        {
            input.Add(inputDuration);
            infer.Add(inferDuration);
            output.Add(outputDuration);
        }
    }
}
