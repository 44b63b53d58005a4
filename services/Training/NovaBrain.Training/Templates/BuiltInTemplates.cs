namespace NovaBrain.Training.Templates;

/// <summary>The templates every NovaBrain installation has: MLPs for tabular classification and regression.</summary>
public static class BuiltInTemplates
{
    public const string MlpArchitecture = "mlp";
    public const string MlpClassifier = "mlp-classifier";
    public const string MlpRegressor = "mlp-regressor";

    public static IReadOnlyList<TrainingTemplate> All { get; } =
    [
        new(MlpClassifier, 1, MlpArchitecture, TrainingTasks.Classification,
            "A multi-layer perceptron with ReLU activations trained with cross-entropy on tabular features; the label column holds class names.",
            MlpHyperparameters()),
        new(MlpRegressor, 1, MlpArchitecture, TrainingTasks.Regression,
            "A multi-layer perceptron with ReLU activations trained with mean squared error on tabular features; the label column is numeric.",
            MlpHyperparameters()),
    ];

    private static IReadOnlyList<HyperparameterSpec> MlpHyperparameters() =>
    [
        new(Hyperparameters.HiddenLayersName, HyperparameterTypes.IntegerList, "Widths of the hidden layers, input side first.",
            new[] { 64, 32 }, Minimum: 1, Maximum: 4096, MinItems: 0, MaxItems: 8),
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
            "Epochs without a better validation loss before training stops; 0 never stops early.",
            5, Minimum: 0, Maximum: 10000),
        new(Hyperparameters.ValidationFractionName, HyperparameterTypes.Number, "The share of rows held out for validation.",
            0.2, Minimum: 0.05, Maximum: 0.5),
        new(Hyperparameters.CheckpointEveryName, HyperparameterTypes.Integer, "A checkpoint (model and optimiser state) every this many epochs.",
            5, Minimum: 1, Maximum: 10000),
        new(Hyperparameters.SeedName, HyperparameterTypes.Integer, "Seeds the split, the shuffling and the initial weights: the same seed trains the same model.",
            42, Minimum: 0, Maximum: int.MaxValue),
    ];

    public static TrainingTemplate? Find(string name, int? version) =>
        All.Where(template => template.Name == name && (version is null || template.Version == version))
            .MaxBy(template => template.Version);
}
