namespace NovaBrain.Training.Templates;

/// <summary>What a template's network predicts, which decides its loss, its metrics and its output layer.</summary>
public static class TrainingTasks
{
    public const string Classification = "classification";
    public const string Regression = "regression";
}

/// <summary>
/// A versioned training recipe: an architecture, the task it solves and the hyperparameters it accepts. A user's
/// template names the built-in template it is <see cref="BasedOn"/>, whose architecture and task it shares.
/// </summary>
public sealed record TrainingTemplate(
    string Name,
    int Version,
    string Architecture,
    string Task,
    string Description,
    IReadOnlyList<HyperparameterSpec> Hyperparameters,
    string? BasedOn = null)
{
    /// <summary>How the template is named in lineage: <c>name@version</c>.</summary>
    public string Reference => $"{Name}@{Version}";
}
