using System.Globalization;
using System.Text.Json.Serialization;

namespace NovaBrain.Training.Templates;

/// <summary>
/// The resolved hyperparameters of a job: every value present, validated against its template. <see cref="Convolution"/>
/// is set for the convolutional architecture only.
/// </summary>
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
    int Seed,
    int CheckpointEverySteps = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ConvolutionSettings? Convolution = null)
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
    public const string CheckpointEveryStepsName = "checkpointEverySteps";
    public const string ImageChannelsName = "imageChannels";
    public const string ImageHeightName = "imageHeight";
    public const string ImageWidthName = "imageWidth";
    public const string ConvFiltersName = "convFilters";
    public const string KernelSizeName = "kernelSize";

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
    public Dictionary<string, string> ToParams()
    {
        var values = new Dictionary<string, string>
        {
            [HiddenLayersName] = string.Join(',', HiddenLayers),
            [LearningRateName] = LearningRate.ToString(CultureInfo.InvariantCulture),
            [BatchSizeName] = BatchSize.ToString(CultureInfo.InvariantCulture),
            [EpochsName] = Epochs.ToString(CultureInfo.InvariantCulture),
            [OptimizerName] = Optimizer,
            [LrScheduleName] = LrSchedule,
            [EarlyStoppingPatienceName] = EarlyStoppingPatience.ToString(CultureInfo.InvariantCulture),
            [ValidationFractionName] = ValidationFraction.ToString(CultureInfo.InvariantCulture),
            [CheckpointEveryName] = CheckpointEvery.ToString(CultureInfo.InvariantCulture),
            [SeedName] = Seed.ToString(CultureInfo.InvariantCulture),
            [CheckpointEveryStepsName] = CheckpointEverySteps.ToString(CultureInfo.InvariantCulture),
        };
        if (Convolution is { } convolution)
        {
            values[ImageChannelsName] = convolution.Channels.ToString(CultureInfo.InvariantCulture);
            values[ImageHeightName] = convolution.Height.ToString(CultureInfo.InvariantCulture);
            values[ImageWidthName] = convolution.Width.ToString(CultureInfo.InvariantCulture);
            values[ConvFiltersName] = string.Join(',', convolution.Filters);
            values[KernelSizeName] = convolution.KernelSize.ToString(CultureInfo.InvariantCulture);
        }
        return values;
    }
}

/// <summary>
/// The image a convolutional network reads and its convolution blocks: each block is a Conv2d with
/// <see cref="KernelSize"/> ("same" padding) and that many filters, a ReLU and a 2×2 max-pool.
/// </summary>
public sealed record ConvolutionSettings(int Channels, int Height, int Width, IReadOnlyList<int> Filters, int KernelSize)
{
    /// <summary>The pixels per image: the feature columns a dataset must have, in channel, row, column order.</summary>
    [JsonIgnore]
    public int Pixels => Channels * Height * Width;

    [JsonIgnore]
    public string ShapeText => $"{Channels}x{Height}x{Width}";
}
