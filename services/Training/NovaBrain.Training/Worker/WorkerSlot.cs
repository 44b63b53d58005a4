using TorchSharp;

namespace NovaBrain.Training.Worker;

/// <summary>
/// Where a worker runs one job at a time: a CUDA device of its own where the machine has any, else the CPU. A worker
/// consumes the job queue once per slot.
/// </summary>
/// <param name="Index">The slot's number within its process.</param>
/// <param name="CudaDevice">The CUDA device the slot's jobs train on; null where CUDA is not available.</param>
/// <param name="WorkerName">Who claims a job in this slot: the host and process, and the slot where there are several.</param>
public sealed record WorkerSlot(int Index, int? CudaDevice, string WorkerName)
{
    private static readonly string ProcessName = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>The one slot of a process that trains nothing itself (it launches Kubernetes Jobs).</summary>
    public static WorkerSlot Launcher { get; } = new(0, CudaDevice: null, ProcessName);

    /// <summary>One slot per visible CUDA device (or <paramref name="configured"/> slots spread over them), else CPU slots.</summary>
    public static IReadOnlyList<WorkerSlot> Detect(int? configured)
    {
        var devices = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        var count = configured ?? Math.Max(devices, 1);
        return Enumerable.Range(0, count)
            .Select(index => new WorkerSlot(index, devices > 0 ? index % devices : null, count == 1 ? ProcessName : $"{ProcessName}/{index}"))
            .ToList();
    }

    /// <summary>The device a job that asked for <c>cuda</c> trains on; null where it falls back to the CPU.</summary>
    public torch.Device? Cuda => CudaDevice is { } device ? torch.device(DeviceType.CUDA, device) : null;
}
