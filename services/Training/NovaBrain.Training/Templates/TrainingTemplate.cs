namespace NovaBrain.Training.Templates;

/// <summary>What a template's network predicts, which decides its loss, its metrics and its output layer.</summary>
public static class TrainingTasks
{
    public const string Classification = "classification";
    public const string Regression = "regression";
}

/// <summary>A versioned training recipe: an architecture, the task it solves and the hyperparameters it accepts.</summary>
public sealed record TrainingTemplate(
    string Name,
    int Version,
    string Architecture,
    string Task,
    string Description,
    IReadOnlyList<HyperparameterSpec> Hyperparameters)
{
    /// <summary>How the template is named in lineage: <c>name@version</c>.</summary>
    public string Reference => $"{Name}@{Version}";
}
