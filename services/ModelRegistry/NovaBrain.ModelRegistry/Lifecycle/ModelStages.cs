namespace NovaBrain.ModelRegistry.Lifecycle;

/// <summary>The stages a version moves through: <c>None → Staging → Production → Archived</c>.</summary>
public static class ModelStages
{
    public const string None = "None";
    public const string Staging = "Staging";
    public const string Production = "Production";
    public const string Archived = "Archived";

    public static readonly IReadOnlyList<string> All = [None, Staging, Production, Archived];

    /// <summary>The stage's canonical name, matched case-insensitively; null when it is no stage.</summary>
    public static string? Parse(string? value) => All.FirstOrDefault(stage => string.Equals(stage, value, StringComparison.OrdinalIgnoreCase));
}
