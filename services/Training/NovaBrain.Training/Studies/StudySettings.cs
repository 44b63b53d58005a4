using System.Text.Json.Serialization;

namespace NovaBrain.Training.Studies;

/// <summary>The kinds of search dimension.</summary>
public static class DimensionTypes
{
    public const string Uniform = "uniform";
    public const string LogUniform = "log-uniform";
    public const string Integer = "integer";
    public const string Categorical = "categorical";

    public static readonly IReadOnlyList<string> All = [Uniform, LogUniform, Integer, Categorical];
}

/// <summary>
/// How one hyperparameter is searched: uniformly or log-uniformly between <see cref="Low"/> and <see cref="High"/>,
/// as an integer from <see cref="Low"/> to <see cref="High"/> inclusive, or among <see cref="Choices"/>.
/// </summary>
public sealed record SearchDimension(
    string? Type,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Low = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? High = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<System.Text.Json.JsonElement>? Choices = null);

public static class Directions
{
    public const string Minimize = "minimize";
    public const string Maximize = "maximize";
}

/// <summary>The metric a study optimises (a per-epoch metric of the template's trainer, its last epoch counting) and which way.</summary>
public sealed record StudyObjective(string Metric, string Direction)
{
    /// <summary>The value as a loss: lower is better whichever the direction, as samplers and pruners expect.</summary>
    public double ToLoss(double value) => Direction == Directions.Maximize ? -value : value;
}

public static class SamplerTypes
{
    public const string Random = "random";
    public const string Grid = "grid";
    public const string Tpe = "tpe";

    public static readonly IReadOnlyList<string> All = [Random, Grid, Tpe];
}

/// <summary>
/// The sampler and its settings: the seed every draw derives from, the random trials TPE starts with, and the points
/// a grid takes along each continuous dimension.
/// </summary>
public sealed record SamplerSettings(string Type, int Seed, int StartupTrials, int GridPoints);

public static class PrunerTypes
{
    public const string Median = "median";
    public const string Asha = "asha";

    public static readonly IReadOnlyList<string> All = [Median, Asha];
}

/// <summary>
/// The pruner and its settings: the median pruner's warm-up epochs and the other trials it needs at an epoch; ASHA's
/// first rung (in epochs) and its reduction factor η.
/// </summary>
public sealed record PrunerSettings(string Type, int WarmupEpochs, int MinTrials, int MinEpochs, int ReductionFactor);
