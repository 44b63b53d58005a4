namespace NovaBrain.ModelServing.Batching;

/// <summary>How a model's requests are queued and combined, after Triton's dynamic batcher.</summary>
/// <param name="MaxBatchSize">The most rows one execution runs; 0 runs every request on its own.</param>
/// <param name="PreferredBatchSizes">Row counts at which a batch is sent at once, without waiting for more.</param>
/// <param name="MaxQueueDelay">How long the oldest request may wait for others to join its batch.</param>
/// <param name="MaxQueueSize">Requests that may wait; beyond it a request is refused at once. 0 is unbounded.</param>
/// <param name="DefaultTimeout">How long a request may wait in the queue before it is refused; null waits as long as its caller does.</param>
/// <param name="PriorityLevels">Priority levels requests may name (1 the highest); batches are formed from the highest level waiting.</param>
/// <param name="DefaultPriorityLevel">The level of requests that name none.</param>
public sealed record BatchingSettings(
    int MaxBatchSize, IReadOnlyList<int> PreferredBatchSizes, TimeSpan MaxQueueDelay, int MaxQueueSize, TimeSpan? DefaultTimeout,
    int PriorityLevels = 1, int DefaultPriorityLevel = 1);
