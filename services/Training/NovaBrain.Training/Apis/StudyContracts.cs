using System.Text.Json;
using NovaBrain.Training.Studies;

namespace NovaBrain.Training.Apis;

/// <summary>
/// A hyperparameter search: the template, the hyperparameters every trial shares, the search space (keyed by
/// hyperparameter), the objective, the sampler (random unless named), an optional pruner, the budget, how many trials
/// run at once, and what each trial's job needs: the dataset, its label column, the model its versions register under
/// and the device.
/// </summary>
public sealed record CreateStudyRequest(
    string? Name,
    string? Template,
    int? TemplateVersion,
    Dictionary<string, JsonElement>? Hyperparameters,
    Dictionary<string, SearchDimension>? SearchSpace,
    ObjectiveRequest? Objective,
    SamplerRequest? Sampler,
    PrunerRequest? Pruner,
    BudgetRequest? Budget,
    int? Parallelism,
    string? Dataset,
    string? LabelColumn,
    string? ModelName,
    string? Device = null);

/// <summary>The metric to optimise (one the template's trainer reports per epoch) and <c>minimize</c> or <c>maximize</c>.</summary>
public sealed record ObjectiveRequest(string? Metric, string? Direction);

/// <summary><c>random</c>, <c>grid</c> or <c>tpe</c>; the seed, TPE's random start-up trials and the grid's points per continuous dimension.</summary>
public sealed record SamplerRequest(string? Type, int? Seed = null, int? StartupTrials = null, int? GridPoints = null);

/// <summary><c>median</c> (warmupEpochs, minTrials) or <c>asha</c> (minEpochs, reductionFactor).</summary>
public sealed record PrunerRequest(string? Type, int? WarmupEpochs = null, int? MinTrials = null, int? MinEpochs = null, int? ReductionFactor = null);

/// <summary>At most this many trials, and no trial running past this many seconds after the study was created.</summary>
public sealed record BudgetRequest(int? MaxTrials, int? TimeLimitSeconds = null);

public sealed record StudyBudget(int MaxTrials, int? TimeLimitSeconds);

public sealed record IntermediateValue(int Epoch, double Value);

public sealed record TrialResponse(
    int Number,
    IReadOnlyDictionary<string, JsonElement> Hyperparameters,
    string State,
    Guid? JobId,
    double? ObjectiveValue,
    IReadOnlyList<IntermediateValue> IntermediateValues,
    int? ModelVersion,
    string? FailureReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public static TrialResponse From(StudyTrial trial) => new(
        trial.Number, trial.Hyperparameters, trial.State, trial.JobId, trial.ObjectiveValue,
        [.. trial.IntermediateValues.OrderBy(pair => pair.Key).Select(pair => new IntermediateValue(pair.Key, pair.Value))],
        trial.ModelVersion, trial.FailureReason, trial.CreatedAt, trial.FinishedAt);
}

/// <summary>A study without its trial history: for lists.</summary>
public sealed record StudySummaryResponse(
    Guid Id,
    string Name,
    string Owner,
    string Template,
    int TemplateVersion,
    StudyObjective Objective,
    string State,
    string? EndReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    int TrialCount,
    TrialResponse? BestTrial)
{
    public static StudySummaryResponse From(Study study) => new(
        study.Id, study.Name, study.Owner, study.Template, study.TemplateVersion, study.Objective, study.State, study.EndReason,
        study.CreatedAt, study.FinishedAt, study.Trials.Count, study.BestTrial() is { } best ? TrialResponse.From(best) : null);
}

/// <summary>A study with its settings, its best trial so far and every trial, in order.</summary>
public sealed record StudyResponse(
    Guid Id,
    string Name,
    string Owner,
    string Template,
    int TemplateVersion,
    JsonElement Hyperparameters,
    IReadOnlyDictionary<string, SearchDimension> SearchSpace,
    StudyObjective Objective,
    SamplerSettings Sampler,
    PrunerSettings? Pruner,
    StudyBudget Budget,
    int Parallelism,
    string Dataset,
    string LabelColumn,
    string ModelName,
    string? Device,
    string State,
    string? EndReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt,
    TrialResponse? BestTrial,
    IReadOnlyList<TrialResponse> Trials)
{
    public static StudyResponse From(Study study) => new(
        study.Id, study.Name, study.Owner, study.Template, study.TemplateVersion,
        JsonDocument.Parse(study.Hyperparameters).RootElement.Clone(), study.SearchSpace, study.Objective, study.Sampler, study.Pruner,
        new StudyBudget(study.MaxTrials, study.TimeLimit is { } limit ? (int)limit.TotalSeconds : null), study.Parallelism,
        study.Dataset, study.LabelColumn, study.ModelName, study.Device, study.State, study.EndReason, study.CreatedAt, study.FinishedAt,
        study.BestTrial() is { } best ? TrialResponse.From(best) : null,
        [.. study.Trials.OrderBy(trial => trial.Number).Select(TrialResponse.From)]);
}
