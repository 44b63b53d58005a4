using System.Diagnostics;

namespace NovaBrain.Tests.EndToEnd;

internal static class ServiceMemory
{
    /// <summary>The largest working set of <paramref name="process"/> seen every 50 ms until cancelled.</summary>
    public static async Task<long> PeakWorkingSetAsync(Process process, CancellationToken cancellationToken)
    {
        long peak = 0;
        try
        {
            while (true)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(50, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            process.Refresh();
            return Math.Max(peak, process.WorkingSet64);
        }
    }
}
