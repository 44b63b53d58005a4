using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Infrastructure;

namespace NovaBrain.Training.Studies;

/// <summary>
/// Advances every running study once per <see cref="StudiesOptions.PollInterval"/>. Several API replicas may run one
/// each: a replica advances a study only while it holds the study's lease, claimed and renewed by a conditional
/// update, so one replica at a time does, and another takes over when a replica stops.
/// </summary>
public sealed partial class StudyCoordinator(
    IServiceScopeFactory scopes, IOptions<StudiesOptions> options, TimeProvider time, ILogger<StudyCoordinator> logger) : BackgroundService
{
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await AdvanceAllAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database may be briefly away; the next round tries again.
                LogRoundFailed(exception);
            }
        }
    }

    private async Task AdvanceAllAsync(CancellationToken cancellationToken)
    {
        List<Guid> studyIds;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<TrainingContext>();
            // Running studies, and finished ones whose trials a cancellation racing with a submission left active.
            studyIds = await context.Studies
                .Where(study => study.State == StudyStates.Running ||
                                study.Trials.Any(trial => trial.State == TrialStates.Queued || trial.State == TrialStates.Running))
                .Select(study => study.Id).ToListAsync(cancellationToken);
        }
        foreach (var studyId in studyIds)
        {
            await using var scope = scopes.CreateAsyncScope();
            if (!await TryLeaseAsync(scope.ServiceProvider.GetRequiredService<TrainingContext>(), studyId, cancellationToken))
            {
                continue;
            }
            try
            {
                await scope.ServiceProvider.GetRequiredService<StudyManager>().AdvanceAsync(studyId, cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // A cancellation changed the study or a trial during the round; the next round starts from what it did.
                LogRoundConflicted(studyId);
            }
        }
    }

    private async Task<bool> TryLeaseAsync(TrainingContext context, Guid studyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + options.Value.Lease;
        return await context.Studies
            .Where(study => study.Id == studyId && (study.LeaseOwner == null || study.LeaseOwner == _instance || study.LeaseExpiresAt < now))
            .ExecuteUpdateAsync(study => study
                .SetProperty(s => s.LeaseOwner, _instance)
                .SetProperty(s => s.LeaseExpiresAt, expires), cancellationToken) == 1;
    }

    [LoggerMessage(LogLevel.Warning, "A round of the study coordinator failed")]
    private partial void LogRoundFailed(Exception exception);

    [LoggerMessage(LogLevel.Information, "Study {StudyId} changed during its round; the next round continues it")]
    private partial void LogRoundConflicted(Guid studyId);
}
