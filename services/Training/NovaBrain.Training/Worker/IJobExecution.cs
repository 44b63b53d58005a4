namespace NovaBrain.Training.Worker;

/// <summary>What a worker does with each job it is delivered: runs it here, or launches it elsewhere.</summary>
public interface IJobExecution
{
    Task<DeliveryOutcome> ExecuteAsync(Guid jobId, WorkerSlot slot, CancellationToken stoppingToken);
}

/// <summary>Runs each job in the worker's process, on the slot's device.</summary>
public sealed class InProcessExecution(JobRunner runner) : IJobExecution
{
    public Task<DeliveryOutcome> ExecuteAsync(Guid jobId, WorkerSlot slot, CancellationToken stoppingToken) =>
        runner.RunAsync(jobId, slot, stoppingToken);
}
