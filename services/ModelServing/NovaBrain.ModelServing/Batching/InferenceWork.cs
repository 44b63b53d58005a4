using System.Diagnostics;
using NovaBrain.ModelServing.Engines;

namespace NovaBrain.ModelServing.Batching;

/// <summary>One validated request waiting to be computed: its inputs in the model's input order, and the outputs it wants.</summary>
/// <param name="Inputs">Every model input, in the model's order.</param>
/// <param name="Outputs">The names of the outputs to return, at least one.</param>
/// <param name="Rows">The request's size along the batch dimension (1 for a model without one).</param>
/// <param name="Timeout">How long it may wait in the queue; null for the model's default.</param>
/// <param name="Aborted">Signalled when the caller has gone: the request is dropped rather than computed.</param>
/// <param name="Priority">Its priority level, 1 the highest; 0 for the model's default level.</param>
public sealed record InferenceWork(
    IReadOnlyList<TensorData> Inputs, IReadOnlyList<string> Outputs, long Rows, TimeSpan? Timeout, CancellationToken Aborted, int Priority = 0)
{
    private readonly TaskCompletionSource<IReadOnlyList<TensorData>> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal long EnqueuedAt { get; set; }

    /// <summary>The index of its priority level's queue (0 the highest).</summary>
    internal int Level { get; set; }

    internal long? Deadline { get; set; }

    /// <summary>The requested outputs, in the order of <see cref="Outputs"/>, once computed.</summary>
    public Task<IReadOnlyList<TensorData>> Result => completion.Task;

    internal void Complete(IReadOnlyList<TensorData> outputs) => completion.TrySetResult(outputs);

    internal void Fail(Exception exception) => completion.TrySetException(exception);

    internal TimeSpan SinceEnqueued(long now) => Stopwatch.GetElapsedTime(EnqueuedAt, now);
}

/// <summary>What became of a request handed to a batcher.</summary>
public enum SubmitResult
{
    Queued,

    /// <summary>The queue is at its limit; the caller should retry later.</summary>
    QueueFull,

    /// <summary>The batcher is closed (its model version is being unloaded); the caller should use the current version.</summary>
    Closed,
}
