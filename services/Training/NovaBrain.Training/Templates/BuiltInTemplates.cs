namespace NovaBrain.Training.Templates;

/// <summary>
/// The templates every NovaBrain installation has: MLPs for tabular classification and regression, and a small
/// convolutional network for image classification. Their names are reserved; users derive their own templates from them.
/// </summary>
public static class BuiltInTemplates
{
    public const string MlpArchitecture = "mlp";
    public const string CnnArchitecture = "cnn";
    public const string MlpClassifier = "mlp-classifier";
    public const string MlpRegressor = "mlp-regressor";
    public const string CnnClassifier = "cnn-classifier";

    public static IReadOnlyList<TrainingTemplate> All { get; } =
    [
        new(MlpClassifier, 1, MlpArchitecture, TrainingTasks.Classification,
            "A multi-layer perceptron with ReLU activations trained with cross-entropy on tabular features; the label column holds class names.",
            MlpHyperparameters()),
        new(MlpRegressor, 1, MlpArchitecture, TrainingTasks.Regression,
            "A multi-layer perceptron with ReLU activations trained with mean squared error on tabular features; the label column is numeric.",
            MlpHyperparameters()),
        new(CnnClassifier, 1, CnnArchitecture, TrainingTasks.Classification,
            "A convolutional network for small images: blocks of Conv2d, ReLU and 2×2 max-pooling, then ReLU Linear layers, trained with " +
            "cross-entropy. Every column but the label is a pixel, in channel, row, column order (imageChannels × imageHeight × imageWidth " +
            "columns); the exported ONNX model takes the same flat rows, [batch, pixels].",
            CnnHyperparameters()),
    ];

    public static bool IsReserved(string name) => All.Any(template => template.Name == name);

    public static TrainingTemplate? Find(string name, int? version) =>
        All.Where(template => template.Name == name && (version is null || template.Version == version))
            .MaxBy(template => template.Version);

    private static IReadOnlyList<HyperparameterSpec> MlpHyperparameters() =>
    [
        new(Hyperparameters.HiddenLayersName, HyperparameterTypes.IntegerList, "Widths of the hidden layers, input side first.",
            new[] { 64, 32 }, Minimum: 1, Maximum: 4096, MinItems: 0, MaxItems: 8),
        .. TrainingHyperparameters(),
    ];

    private static IReadOnlyList<HyperparameterSpec> CnnHyperparameters() =>
    [
        new(Hyperparameters.ImageChannelsName, HyperparameterTypes.Integer, "Channels per image: 1 for grey, 3 for RGB.",
            1, Minimum: 1, Maximum: 4),
        new(Hyperparameters.ImageHeightName, HyperparameterTypes.Integer, "Image height in pixels.",
            28, Minimum: 2, Maximum: 256),
        new(Hyperparameters.ImageWidthName, HyperparameterTypes.Integer, "Image width in pixels.",
            28, Minimum: 2, Maximum: 256),
        new(Hyperparameters.ConvFiltersName, HyperparameterTypes.IntegerList,
            "Filters of each convolution block (Conv2d, ReLU, 2×2 max-pool), input side first; every block halves the image.",
            new[] { 8, 16 }, Minimum: 1, Maximum: 256, MinItems: 1, MaxItems: 4),
        new(Hyperparameters.KernelSizeName, HyperparameterTypes.Integer, "The convolution kernel's width and height; padding keeps the image size.",
            3, Minimum: 1, Maximum: 7),
        new(Hyperparameters.HiddenLayersName, HyperparameterTypes.IntegerList, "Widths of the Linear layers after the convolutions, input side first.",
            new[] { 64 }, Minimum: 1, Maximum: 4096, MinItems: 0, MaxItems: 4),
        .. TrainingHyperparameters(),
    ];

    private static IReadOnlyList<HyperparameterSpec> TrainingHyperparameters() =>
    [
        new(Hyperparameters.LearningRateName, HyperparameterTypes.Number, "The optimiser's initial learning rate.",
            0.01, Minimum: 1e-6, Maximum: 1),
        new(Hyperparameters.BatchSizeName, HyperparameterTypes.Integer, "Rows per optimisation step.",
            32, Minimum: 1, Maximum: 65536),
        new(Hyperparameters.EpochsName, HyperparameterTypes.Integer, "Passes over the training rows, at most.",
            20, Minimum: 1, Maximum: 10000),
        new(Hyperparameters.OptimizerName, HyperparameterTypes.Choice, "The optimiser.",
            Hyperparameters.Adam, Choices: [Hyperparameters.Adam, Hyperparameters.Sgd]),
        new(Hyperparameters.LrScheduleName, HyperparameterTypes.Choice,
            "How the learning rate changes per epoch: constant, step (halved every 10 epochs) or cosine (annealed to 0 over the epochs).",
            Hyperparameters.Constant, Choices: [Hyperparameters.Constant, Hyperparameters.Step, Hyperparameters.Cosine]),
        new(Hyperparameters.EarlyStoppingPatienceName, HyperparameterTypes.Integer,
            "Epochs without a better validation loss before training stops, keeping the best epoch's weights; 0 never stops early and keeps the last.",
            5, Minimum: 0, Maximum: 10000),
        new(Hyperparameters.ValidationFractionName, HyperparameterTypes.Number, "The share of rows held out for validation.",
            0.2, Minimum: 0.05, Maximum: 0.5),
        new(Hyperparameters.CheckpointEveryName, HyperparameterTypes.Integer, "A checkpoint (model and optimiser state) every this many epochs.",
            5, Minimum: 1, Maximum: 10000),
        new(Hyperparameters.CheckpointEveryStepsName, HyperparameterTypes.Integer,
            "Also a checkpoint every this many optimisation steps, within epochs too, for long epochs; 0 checkpoints by epochs only.",
            0, Minimum: 0, Maximum: 100_000_000),
        new(Hyperparameters.SeedName, HyperparameterTypes.Integer, "Seeds the split, the shuffling and the initial weights: the same seed trains the same model.",
            42, Minimum: 0, Maximum: int.MaxValue),
    ];
}
