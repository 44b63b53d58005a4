using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Parameters.Infrastructure;

namespace NovaBrain.Parameters.Blobs;

/// <summary>
/// Deletes resumable uploads that have received nothing for <see cref="UploadSweeperOptions.AbandonedAfter"/>, and
/// staged bytes that no upload owns any more, every <see cref="UploadSweeperOptions.EffectiveSweepInterval"/>.
/// </summary>
public sealed class UploadSweeper(
    IServiceScopeFactory scopes, IBlobStore store, IOptions<UploadSweeperOptions> options, TimeProvider time, ILogger<UploadSweeper> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.EffectiveSweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database may be briefly away; the next round tries again.
                logger.LogWarning(exception, "Sweeping abandoned uploads failed");
            }
        }
    }

    public async Task SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.AbandonedAfter;
        await using var scope = scopes.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ParametersContext>();

        var idle = await context.Uploads.Where(upload => upload.UpdatedAt < cutoff).ToListAsync(cancellationToken);
        // An upload receiving a long chunk has not been touched since its last one, but it is not abandoned.
        var abandoned = idle.Where(upload => store.TryDeleteIdleUpload(upload.Id)).ToList();
        context.Uploads.RemoveRange(abandoned);
        await context.SaveChangesAsync(cancellationToken);

        var live = (await context.Uploads.Select(upload => upload.Id).ToListAsync(cancellationToken)).ToHashSet();
        var orphans = store.DeleteStaleStaging(live, cutoff);
        if (abandoned.Count > 0 || orphans > 0)
        {
            logger.LogInformation(
                "Deleted {Abandoned} uploads idle since before {Cutoff} and {Orphans} orphaned staging files", abandoned.Count, cutoff, orphans);
        }
    }
}
