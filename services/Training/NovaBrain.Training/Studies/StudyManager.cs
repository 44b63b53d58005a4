using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Training.Apis;
using NovaBrain.Training.Infrastructure;
using NovaBrain.Training.Jobs;
using NovaBrain.Training.Studies.Pruners;
using NovaBrain.Training.Studies.Samplers;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Studies;

/// <summary>What became of a study's creation: the study, or why there is none.</summary>
public sealed record CreateStudyResult(SubmitOutcome Outcome, Study? Study = null, Dictionary<string, string[]>? Errors = null, Guid? FailedJob = null);

public enum CancelStudyOutcome
{
    Cancelled,
    NotFound,
    NotYours,
    AlreadyFinished,
}

/// <summary>
/// Creates, advances and cancels studies. Trials are training jobs submitted and cancelled through
/// <see cref="JobManager"/> under the study owner's name, so they obey the same rules as any job.
/// </summary>
public sealed partial class StudyManager(
    TrainingContext context, JobManager jobs, TemplateCatalog templates, IOptions<StudiesOptions> options, TimeProvider time, ILogger<StudyManager> logger)
{
    /// <summary>
    /// Validates the study, then submits its first trial, which checks the fields every trial's job shares; the study
    /// is saved only once that trial is queued.
    /// </summary>
    public async Task<CreateStudyResult> CreateAsync(CreateStudyRequest request, string owner, CancellationToken cancellationToken)
    {
        var template = string.IsNullOrWhiteSpace(request.Template) ? null : await templates.FindAsync(request.Template, request.TemplateVersion, cancellationToken);
        var (valid, errors) = StudyValidator.Validate(request, template, options.Value);
        if (valid is null)
        {
            return new CreateStudyResult(SubmitOutcome.Invalid, Errors: errors);
        }
        var now = time.GetUtcNow();
        // Dataset, label column and model name are checked with the first trial's job below; the study is saved only if it is queued.
        var study = new Study
        {
            Id = Guid.CreateVersion7(),
            Name = request.Name ?? request.ModelName ?? valid.Template.Name,
            Owner = owner,
            Template = valid.Template.Name,
            TemplateVersion = valid.Template.Version,
            Hyperparameters = JsonSerializer.Serialize(request.Hyperparameters ?? [], JsonSerializerOptions.Web),
            SearchSpace = request.SearchSpace!,
            Objective = valid.Objective,
            Sampler = valid.Sampler,
            Pruner = valid.Pruner,
            MaxTrials = valid.MaxTrials,
            TimeLimit = valid.TimeLimit,
            Parallelism = valid.Parallelism,
            Dataset = request.Dataset!,
            LabelColumn = request.LabelColumn!,
            ModelName = request.ModelName!,
            Device = request.Device,
            CreatedAt = now,
        };
        var trial = NewTrial(study, 1, SamplerFactory.Create(study.Sampler, valid.SearchSpace).Sample(1, [])!, valid.SearchSpace);
        var submitted = await jobs.SubmitAsync(JobRequest(study, trial), owner, cancellationToken);
        if (submitted.Outcome != SubmitOutcome.Queued)
        {
            return new CreateStudyResult(submitted.Outcome, Errors: submitted.Errors, FailedJob: submitted.Job?.Id);
        }
        trial.JobId = submitted.Job!.Id;
        study.Trials.Add(trial);
        context.Studies.Add(study);
        await context.SaveChangesAsync(cancellationToken);
        LogCreated(study.Id, study.Sampler.Type, study.MaxTrials, study.Parallelism);
        return new CreateStudyResult(SubmitOutcome.Queued, study);
    }

    /// <summary>
    /// One round of a study's coordination: brings its trials up to date with their jobs, prunes, ends trials and the
    /// study when the budget is spent, and submits new trials up to the study's parallelism. The caller holds the
    /// study's lease.
    /// </summary>
    public async Task AdvanceAsync(Guid studyId, CancellationToken cancellationToken)
    {
        var study = await context.Studies.Include(s => s.Trials).SingleAsync(s => s.Id == studyId, cancellationToken);
        if (study.State != StudyStates.Running)
        {
            // Cancelled while a trial was being submitted: that trial is cancelled too.
            await CancelActiveTrialsAsync(study, "The study was cancelled.", cancellationToken);
            await context.SaveChangesAsync(cancellationToken);
            return;
        }

        await SyncTrialsAsync(study, cancellationToken);
        if (study.Pruner is not null)
        {
            await PruneAsync(study, PrunerFactory.Create(study.Pruner), cancellationToken);
        }

        var now = time.GetUtcNow();
        string? endReason = null;
        if (study.Deadline <= now)
        {
            await CancelActiveTrialsAsync(study, "The study's time budget ran out.", cancellationToken);
            endReason = $"The time budget of {(int)study.TimeLimit!.Value.TotalSeconds} seconds ran out.";
        }
        else
        {
            endReason = await SubmitTrialsAsync(study, cancellationToken);
        }

        if (endReason is not null && !study.Trials.Any(trial => TrialStates.IsActive(trial.State)))
        {
            var best = study.BestTrial();
            study.State = best is null ? StudyStates.Failed : StudyStates.Succeeded;
            study.EndReason = best is null ? $"{endReason} No trial succeeded." : endReason;
            study.FinishedAt = now;
            study.LeaseOwner = null;
            LogFinished(study.Id, study.State, best?.Number, best?.ObjectiveValue);
        }
        await context.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Cancels one of <paramref name="owner"/>'s running studies and its queued and running trials.</summary>
    public async Task<(CancelStudyOutcome Outcome, Study? Study)> CancelAsync(Guid studyId, string owner, CancellationToken cancellationToken)
    {
        if (await context.Studies.AsNoTracking().SingleOrDefaultAsync(s => s.Id == studyId, cancellationToken) is not { } found)
        {
            return (CancelStudyOutcome.NotFound, null);
        }
        if (found.Owner != owner)
        {
            return (CancelStudyOutcome.NotYours, found);
        }
        // A conditional update, so that a coordinator finishing the study meanwhile cannot be overwritten, nor overwrite this.
        var now = time.GetUtcNow();
        var cancelled = await context.Studies.Where(s => s.Id == studyId && s.State == StudyStates.Running)
            .ExecuteUpdateAsync(s => s
                .SetProperty(x => x.State, StudyStates.Cancelled)
                .SetProperty(x => x.EndReason, "Cancelled by its owner.")
                .SetProperty(x => x.FinishedAt, now), cancellationToken);
        var study = await context.Studies.Include(s => s.Trials).SingleAsync(s => s.Id == studyId, cancellationToken);
        if (cancelled == 0)
        {
            return (CancelStudyOutcome.AlreadyFinished, study);
        }
        try
        {
            await CancelActiveTrialsAsync(study, "The study was cancelled.", cancellationToken);
            await context.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The coordinator saved a trial meanwhile; its next round cancels what is left, the study being cancelled.
            context.ChangeTracker.Clear();
            study = await context.Studies.AsNoTracking().Include(s => s.Trials).SingleAsync(s => s.Id == studyId, cancellationToken);
        }
        return (CancelStudyOutcome.Cancelled, study);
    }

    private async Task SyncTrialsAsync(Study study, CancellationToken cancellationToken)
    {
        // A round saves a trial and then submits its job; a trial without one is left from a round that stopped in between.
        foreach (var orphan in study.Trials.Where(trial => TrialStates.IsActive(trial.State) && trial.JobId is null))
        {
            Finish(orphan, TrialStates.Failed, time.GetUtcNow(), "Its job was never submitted: the coordinator stopped while submitting it.");
        }
        var active = study.Trials.Where(trial => TrialStates.IsActive(trial.State) && trial.JobId is not null).ToList();
        var jobIds = active.Select(trial => trial.JobId!.Value).ToList();
        var trainingJobs = await context.Jobs.AsNoTracking().Where(job => jobIds.Contains(job.Id)).ToDictionaryAsync(job => job.Id, cancellationToken);
        var progress = await context.Progress.AsNoTracking().Where(p => jobIds.Contains(p.JobId)).OrderBy(p => p.Id)
            .Select(p => new { p.JobId, p.Epoch, p.Metrics }).ToListAsync(cancellationToken);
        var metric = study.Objective.Metric;
        foreach (var trial in active)
        {
            var values = new Dictionary<int, double>();
            // Ordered by id, so a resumed attempt's epochs replace those its predecessor reported after its checkpoint.
            foreach (var row in progress.Where(p => p.JobId == trial.JobId && p.Metrics.ContainsKey(metric)))
            {
                values[row.Epoch] = row.Metrics[metric];
            }
            trial.IntermediateValues = values;
            var job = trainingJobs[trial.JobId!.Value];
            switch (job.State)
            {
                case JobStates.Running:
                    trial.State = TrialStates.Running;
                    break;
                case JobStates.Succeeded when values.Count == 0:
                    Finish(trial, TrialStates.Failed, job.FinishedAt, $"Its job reported no {metric}.");
                    break;
                case JobStates.Succeeded:
                    trial.ObjectiveValue = values[values.Keys.Max()];
                    trial.ModelVersion = job.ModelVersion;
                    Finish(trial, TrialStates.Succeeded, job.FinishedAt, null);
                    break;
                case JobStates.Failed:
                    Finish(trial, TrialStates.Failed, job.FinishedAt, job.FailureReason);
                    break;
                case JobStates.Cancelled:
                    Finish(trial, TrialStates.Cancelled, job.FinishedAt, "Its job was cancelled outside the study.");
                    break;
            }
        }
    }

    private async Task PruneAsync(Study study, IPruner pruner, CancellationToken cancellationToken)
    {
        var losses = study.Trials.ToDictionary(
            trial => trial.Number,
            trial => (IReadOnlyDictionary<int, double>)trial.IntermediateValues.ToDictionary(pair => pair.Key, pair => study.Objective.ToLoss(pair.Value)));
        foreach (var trial in study.Trials.Where(trial => trial.State == TrialStates.Running).ToList())
        {
            var others = study.Trials.Where(other => other.Number != trial.Number).Select(other => losses[other.Number]).ToList();
            foreach (var epoch in trial.IntermediateValues.Keys.Where(epoch => epoch > trial.JudgedEpoch).Order())
            {
                trial.JudgedEpoch = epoch;
                if (!pruner.ShouldPrune(epoch, losses[trial.Number], others))
                {
                    continue;
                }
                var cancelled = await jobs.CancelAsync(trial.JobId!.Value, study.Owner, cancellationToken);
                // A job that finished meanwhile is not pruned: the next round records its result.
                if (cancelled.Outcome == CancelOutcome.Cancelled)
                {
                    Finish(trial, TrialStates.Pruned, time.GetUtcNow(), null);
                    LogPruned(study.Id, trial.Number, epoch);
                }
                break;
            }
        }
    }

    /// <summary>Submits trials up to the study's parallelism; returns why no more will come, once that is so.</summary>
    private async Task<string?> SubmitTrialsAsync(Study study, CancellationToken cancellationToken)
    {
        var space = new SearchSpace(study.SearchSpace);
        var sampler = SamplerFactory.Create(study.Sampler, space);
        while (study.Trials.Count(trial => TrialStates.IsActive(trial.State)) < study.Parallelism)
        {
            if (study.Trials.Count >= study.MaxTrials)
            {
                return $"The budget of {study.MaxTrials} trials was used.";
            }
            var number = study.Trials.Count + 1;
            if (sampler.Sample(number, History(study, space)) is not { } point)
            {
                return "Every point of the grid was tried.";
            }
            var trial = NewTrial(study, number, point, space);
            // Added explicitly: a trial found only through the navigation, its id already set, would be taken for an existing row.
            context.StudyTrials.Add(trial);
            study.Trials.Add(trial);
            // Saved before its job is submitted: the unique study and number keep two coordinators from both running it.
            await context.SaveChangesAsync(cancellationToken);
            var submitted = await jobs.SubmitAsync(JobRequest(study, trial), study.Owner, cancellationToken);
            trial.JobId = submitted.Job?.Id;
            if (submitted.Outcome != SubmitOutcome.Queued)
            {
                Finish(trial, TrialStates.Failed, time.GetUtcNow(), submitted.Outcome switch
                {
                    SubmitOutcome.Invalid => string.Join(" ", submitted.Errors!.SelectMany(error => error.Value)),
                    SubmitOutcome.DatasetNotFound => $"The dataset {study.Dataset} no longer exists.",
                    _ => submitted.Job?.FailureReason,
                });
            }
            await context.SaveChangesAsync(cancellationToken);
        }
        return study.Trials.Count >= study.MaxTrials ? $"The budget of {study.MaxTrials} trials was used." : null;
    }

    private static List<ObservedTrial> History(Study study, SearchSpace space) =>
    [
        .. study.Trials.OrderBy(trial => trial.Number).Select(trial => trial switch
        {
            { State: TrialStates.Succeeded, ObjectiveValue: { } value } => new ObservedTrial(space.ToPoint(trial.Hyperparameters), study.Objective.ToLoss(value), Pruned: false),
            { State: TrialStates.Pruned, IntermediateValues.Count: > 0 } =>
                new ObservedTrial(space.ToPoint(trial.Hyperparameters), trial.IntermediateValues.Values.Min(study.Objective.ToLoss), Pruned: true),
            _ => null,
        }).OfType<ObservedTrial>(),
    ];

    private async Task CancelActiveTrialsAsync(Study study, string reason, CancellationToken cancellationToken)
    {
        foreach (var trial in study.Trials.Where(trial => TrialStates.IsActive(trial.State)))
        {
            if (trial.JobId is { } jobId)
            {
                await jobs.CancelAsync(jobId, study.Owner, cancellationToken);
            }
            Finish(trial, TrialStates.Cancelled, time.GetUtcNow(), reason);
        }
    }

    private StudyTrial NewTrial(Study study, int number, double[] point, SearchSpace space) => new()
    {
        Id = Guid.CreateVersion7(),
        StudyId = study.Id,
        Number = number,
        Hyperparameters = space.ToHyperparameters(point),
        CreatedAt = time.GetUtcNow(),
    };

    private static SubmitJobRequest JobRequest(Study study, StudyTrial trial)
    {
        var hyperparameters = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(study.Hyperparameters, JsonSerializerOptions.Web)!;
        foreach (var (name, value) in trial.Hyperparameters)
        {
            hyperparameters[name] = value;
        }
        return new SubmitJobRequest(study.Template, study.TemplateVersion, hyperparameters, study.Dataset, study.LabelColumn, study.ModelName, study.Device);
    }

    private static void Finish(StudyTrial trial, string state, DateTimeOffset? at, string? reason)
    {
        trial.State = state;
        trial.FinishedAt = at;
        trial.FailureReason = reason;
    }

    [LoggerMessage(LogLevel.Information, "Study {StudyId} created: {Sampler} sampler, {MaxTrials} trials, {Parallelism} at once")]
    private partial void LogCreated(Guid studyId, string sampler, int maxTrials, int parallelism);

    [LoggerMessage(LogLevel.Information, "Study {StudyId} pruned trial {Trial} after epoch {Epoch}")]
    private partial void LogPruned(Guid studyId, int trial, int epoch);

    [LoggerMessage(LogLevel.Information, "Study {StudyId} ended {State}; best trial {Trial} with {Objective}")]
    private partial void LogFinished(Guid studyId, string state, int? trial, double? objective);
}
