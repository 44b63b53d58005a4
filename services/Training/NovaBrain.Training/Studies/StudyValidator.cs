using NovaBrain.Training.Apis;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;

namespace NovaBrain.Training.Studies;

/// <summary>
/// Checks a study's own fields: its template, shared hyperparameters, search space, objective, sampler, pruner, budget
/// and parallelism. The fields that every trial's job shares (dataset, label column, model name, device) are checked
/// by <see cref="Jobs.JobManager"/> when the first trial is submitted. Errors are keyed by field and state the rule.
/// </summary>
public static class StudyValidator
{
    public const int DefaultStartupTrials = 10;
    public const int DefaultGridPoints = 3;
    public const int MaxTimeLimitSeconds = 7 * 24 * 3600;

    public sealed record ValidStudy(
        TrainingTemplate Template, SearchSpace SearchSpace, StudyObjective Objective, SamplerSettings Sampler, PrunerSettings? Pruner,
        int MaxTrials, TimeSpan? TimeLimit, int Parallelism);

    /// <param name="template">The template the request names, as the catalog found it; null if it names none.</param>
    public static (ValidStudy? Study, Dictionary<string, string[]> Errors) Validate(CreateStudyRequest request, TrainingTemplate? template, StudiesOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Name is { Length: 0 or > Study.NameMaxLength })
        {
            errors["name"] = [$"The name is 1 to {Study.NameMaxLength} characters."];
        }
        if (template is null)
        {
            errors["template"] = [TemplateCatalog.UnknownTemplateRule(request.Template, request.TemplateVersion)];
        }
        else
        {
            var (_, hyperparameterErrors) = HyperparameterValidator.Validate(template, request.Hyperparameters);
            foreach (var (field, messages) in hyperparameterErrors)
            {
                errors[field] = messages;
            }
            foreach (var (field, messages) in SearchSpace.Validate(template, request.SearchSpace))
            {
                errors[field] = messages;
            }
            foreach (var name in (request.Hyperparameters?.Keys ?? Enumerable.Empty<string>()).Intersect(request.SearchSpace?.Keys ?? Enumerable.Empty<string>()))
            {
                errors[$"hyperparameters.{name}"] = [$"'{name}' is searched (searchSpace.{name}), so it has no fixed value."];
            }
        }

        var metrics = template?.Task == TrainingTasks.Regression
            ? new[] { MetricNames.ValidationLoss, MetricNames.Rmse, MetricNames.Mae, MetricNames.TrainLoss }
            : [MetricNames.ValidationLoss, MetricNames.Accuracy, MetricNames.TrainLoss];
        if (request.Objective?.Metric is not { } metric || !metrics.Contains(metric))
        {
            errors["objective.metric"] = [$"The objective metric is one the template reports per epoch: {string.Join(", ", metrics)}."];
        }
        if (request.Objective?.Direction is not (Directions.Minimize or Directions.Maximize))
        {
            errors["objective.direction"] = [$"The direction is {Directions.Minimize} or {Directions.Maximize}."];
        }

        var sampler = request.Sampler ?? new SamplerRequest(SamplerTypes.Random);
        if (sampler.Type is not { } samplerType || !SamplerTypes.All.Contains(samplerType))
        {
            errors["sampler.type"] = [$"The sampler is one of {string.Join(", ", SamplerTypes.All)}."];
        }
        if (sampler.Seed is < 0)
        {
            errors["sampler.seed"] = ["The seed is 0 or more."];
        }
        if (sampler.StartupTrials is < 2 or > 1000)
        {
            errors["sampler.startupTrials"] = ["TPE's random start-up trials are 2 to 1000: it needs a good and a bad trial to compare."];
        }
        if (sampler.GridPoints is < 1 or > 100)
        {
            errors["sampler.gridPoints"] = ["The grid takes 1 to 100 points along each continuous dimension."];
        }

        if (request.Pruner is { } pruner)
        {
            if (pruner.Type is not { } prunerType || !PrunerTypes.All.Contains(prunerType))
            {
                errors["pruner.type"] = [$"The pruner is one of {string.Join(", ", PrunerTypes.All)} (or leave it out for none)."];
            }
            if (pruner.WarmupEpochs is < 0)
            {
                errors["pruner.warmupEpochs"] = ["The warm-up is 0 epochs or more."];
            }
            if (pruner.MinTrials is < 1)
            {
                errors["pruner.minTrials"] = ["The median pruner needs at least 1 other trial at an epoch."];
            }
            if (pruner.MinEpochs is < 1)
            {
                errors["pruner.minEpochs"] = ["ASHA's first rung is at 1 epoch or more."];
            }
            if (pruner.ReductionFactor is < 2 or > 100)
            {
                errors["pruner.reductionFactor"] = ["ASHA's reduction factor η is 2 to 100."];
            }
        }

        if (request.Budget?.MaxTrials is not { } maxTrials || maxTrials < 1 || maxTrials > options.MaxTrials)
        {
            errors["budget.maxTrials"] = [$"The budget has 1 to {options.MaxTrials} trials."];
        }
        if (request.Budget?.TimeLimitSeconds is < 1 or > MaxTimeLimitSeconds)
        {
            errors["budget.timeLimitSeconds"] = [$"The time limit is 1 to {MaxTimeLimitSeconds} seconds (or leave it out for none)."];
        }
        if (request.Parallelism is < 1 || request.Parallelism > options.MaxParallelism)
        {
            errors["parallelism"] = [$"From 1 to {options.MaxParallelism} trials run at once."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new ValidStudy(
            template!,
            new SearchSpace(request.SearchSpace!),
            new StudyObjective(request.Objective!.Metric!, request.Objective.Direction!),
            new SamplerSettings(sampler.Type!, sampler.Seed ?? 0, sampler.StartupTrials ?? DefaultStartupTrials, sampler.GridPoints ?? DefaultGridPoints),
            request.Pruner is { } p ? new PrunerSettings(p.Type!, p.WarmupEpochs ?? 1, p.MinTrials ?? 1, p.MinEpochs ?? 1, p.ReductionFactor ?? 3) : null,
            request.Budget!.MaxTrials!.Value,
            request.Budget.TimeLimitSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            request.Parallelism ?? 1), errors);
    }
}
