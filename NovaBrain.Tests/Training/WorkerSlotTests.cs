using NovaBrain.Training.Jobs;
using NovaBrain.Training.Worker;
using TorchSharp;

namespace NovaBrain.Tests.Training;

[TestClass]
public sealed class WorkerSlotTests
{
    [TestMethod]
    public void Slots_AreOnePerVisibleCudaDevice_OrOneOnTheCpu()
    {
        var devices = torch.cuda.is_available() ? torch.cuda.device_count() : 0;

        var slots = WorkerSlot.Detect(configured: null);

        Assert.HasCount(Math.Max(devices, 1), slots);
        CollectionAssert.AreEqual(
            devices == 0 ? new int?[] { null } : Enumerable.Range(0, devices).Select(device => (int?)device).ToArray(),
            slots.Select(slot => slot.CudaDevice).ToArray());
        Assert.AreEqual(devices == 0, slots[0].Cuda is null, "a job that asks for cuda falls back to the CPU only without CUDA");
        Assert.AreEqual(devices > 1 ? $"{Environment.MachineName}/{Environment.ProcessId}/0" : $"{Environment.MachineName}/{Environment.ProcessId}", slots[0].WorkerName);
    }

    [TestMethod]
    public void Slots_WhenConfigured_EachClaimJobsUnderItsOwnName()
    {
        var slots = WorkerSlot.Detect(configured: 3);

        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, slots.Select(slot => slot.Index).ToList());
        CollectionAssert.AllItemsAreUnique(slots.Select(slot => slot.WorkerName).ToList());
        Assert.AreEqual($"{Environment.MachineName}/{Environment.ProcessId}/2", slots[2].WorkerName);
    }

    [TestMethod]
    [DataRow(DeliveryOutcome.Acknowledge, JobStates.Succeeded, JobExitCodes.Done)]
    [DataRow(DeliveryOutcome.Acknowledge, JobStates.Cancelled, JobExitCodes.Done)]
    [DataRow(DeliveryOutcome.Acknowledge, JobStates.Queued, JobExitCodes.Done)]
    [DataRow(DeliveryOutcome.Acknowledge, JobStates.Running, JobExitCodes.Done)]
    [DataRow(DeliveryOutcome.Acknowledge, JobStates.Failed, JobExitCodes.Unrecoverable)]
    [DataRow(DeliveryOutcome.DeadLetter, JobStates.Failed, JobExitCodes.Unrecoverable)]
    [DataRow(DeliveryOutcome.Requeue, JobStates.Queued, JobExitCodes.Retry)]
    public void JobExitCode_TellsKubernetesWhetherToRunThePodAgain(DeliveryOutcome outcome, string state, int exitCode)
    {
        Assert.AreEqual(exitCode, JobExitCodes.Of(outcome, state));
    }
}
