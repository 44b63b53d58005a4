namespace NovaBrain.Training.Templates;

/// <summary>The resolved hyperparameters of an MLP job: every value present, validated against its template.</summary>
public sealed record Hyperparameters(
    IReadOnlyList<int> HiddenLayers,
    double LearningRate,
    int BatchSize,
    int Epochs,
    string Optimizer,
    string LrSchedule,
    int EarlyStoppingPatience,
    double ValidationFraction,
    int CheckpointEvery,
    int Seed)
{
    public const string HiddenLayersName = "hiddenLayers";
    public const string LearningRateName = "learningRate";
    public const string BatchSizeName = "batchSize";
    public const string EpochsName = "epochs";
    public const string OptimizerName = "optimizer";
    public const string LrScheduleName = "lrSchedule";
    public const string EarlyStoppingPatienceName = "earlyStoppingPatience";
    public const string ValidationFractionName = "validationFraction";
    public const string CheckpointEveryName = "checkpointEvery";
    public const string SeedName = "seed";

    public const string Adam = "adam";
    public const string Sgd = "sgd";
    public const string Constant = "constant";
    public const string Step = "step";
    public const string Cosine = "cosine";

    /// <summary>The epochs after which the step schedule halves the learning rate.</summary>
    public const int StepEpochs = 10;

    /// <summary>The learning rate of zero-based <paramref name="epoch"/> under the schedule.</summary>
    public double LearningRateAt(int epoch) => LrSchedule switch
    {
        Step => LearningRate * Math.Pow(0.5, epoch / StepEpochs),
        Cosine => LearningRate * 0.5 * (1 + Math.Cos(Math.PI * epoch / Epochs)),
        _ => LearningRate,
    };

    /// <summary>The values as strings, for the registry's params.</summary>
    public Dictionary<string, string> ToParams() => new()
    {
        [HiddenLayersName] = string.Join(',', HiddenLayers),
        [LearningRateName] = LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [BatchSizeName] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [EpochsName] = Epochs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [OptimizerName] = Optimizer,
        [LrScheduleName] = LrSchedule,
        [EarlyStoppingPatienceName] = EarlyStoppingPatience.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [ValidationFractionName] = ValidationFraction.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [CheckpointEveryName] = CheckpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [SeedName] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
