namespace NovaBrain.Training.Studies;

/// <summary>The states of a study: <c>Running → Succeeded | Failed | Cancelled</c>.</summary>
public static class StudyStates
{
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static readonly IReadOnlyList<string> All = [Running, Succeeded, Failed, Cancelled];
}

/// <summary>The states of a trial: <c>Queued → Running → Succeeded | Failed | Pruned | Cancelled</c> (cancelled with its study).</summary>
public static class TrialStates
{
    public const string Queued = "Queued";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Pruned = "Pruned";
    public const string Cancelled = "Cancelled";

    public static bool IsActive(string state) => state is Queued or Running;
}

/// <summary>
/// A hyperparameter search: trials of one template on one dataset, their hyperparameters drawn from a search space by
/// a sampler, judged by an objective metric, stopped early by a pruner, within a budget of trials and time. The
/// coordinator that advances it holds a lease on it, so that one API replica at a time does.
/// </summary>
public sealed class Study
{
    public const int NameMaxLength = 200;

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Owner { get; set; }
    public required string Template { get; set; }
    public int TemplateVersion { get; set; }
    /// <summary>The hyperparameters every trial shares, as submitted (JSON); the searched ones are added per trial.</summary>
    public required string Hyperparameters { get; set; }
    public required Dictionary<string, SearchDimension> SearchSpace { get; set; }
    public required StudyObjective Objective { get; set; }
    public required SamplerSettings Sampler { get; set; }
    public PrunerSettings? Pruner { get; set; }
    public int MaxTrials { get; set; }
    public TimeSpan? TimeLimit { get; set; }
    public int Parallelism { get; set; }
    public required string Dataset { get; set; }
    public required string LabelColumn { get; set; }
    public required string ModelName { get; set; }
    public string? Device { get; set; }

    public string State { get; set; } = StudyStates.Running;
    /// <summary>Why the study stopped: its trial budget, its time budget, its exhausted grid, or its owner.</summary>
    public string? EndReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public string? LeaseOwner { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>PostgreSQL's <c>xmin</c>: the coordinator and a cancellation that read the same row cannot both save it.</summary>
    public uint RowVersion { get; set; }

    public List<StudyTrial> Trials { get; set; } = [];

    public DateTimeOffset? Deadline => TimeLimit is { } limit ? CreatedAt + limit : null;

    /// <summary>The succeeded trial with the best objective value (the lowest-numbered of equals), if any has succeeded.</summary>
    public StudyTrial? BestTrial() => Trials
        .Where(trial => trial.State == TrialStates.Succeeded && trial.ObjectiveValue is not null)
        .OrderBy(trial => Objective.ToLoss(trial.ObjectiveValue!.Value)).ThenBy(trial => trial.Number)
        .FirstOrDefault();
}

/// <summary>One trial of a study: its number (from 1), the searched hyperparameters it drew, and the job that trains it.</summary>
public sealed class StudyTrial
{
    public Guid Id { get; set; }
    public Guid StudyId { get; set; }
    public int Number { get; set; }
    /// <summary>The searched hyperparameters' values, by name.</summary>
    public required Dictionary<string, System.Text.Json.JsonElement> Hyperparameters { get; set; }
    public string State { get; set; } = TrialStates.Queued;
    public Guid? JobId { get; set; }
    /// <summary>The objective metric of the job's last epoch, once the job has succeeded.</summary>
    public double? ObjectiveValue { get; set; }
    /// <summary>The objective metric per finished epoch (a resumed attempt's values replace the earlier ones).</summary>
    public Dictionary<int, double> IntermediateValues { get; set; } = [];
    /// <summary>The last epoch the pruner has judged: every epoch is judged once, as ASHA's rungs require.</summary>
    public int JudgedEpoch { get; set; }
    public int? ModelVersion { get; set; }
    public string? FailureReason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public uint RowVersion { get; set; }
}
