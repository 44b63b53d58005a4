using System.Globalization;
using System.Text.Json;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Studies;

/// <summary>
/// A validated search space in a fixed (ordinal) order of its dimensions. Samplers work on points, one coordinate per
/// dimension: the value itself for numeric dimensions, the choice's index for categorical ones.
/// </summary>
public sealed class SearchSpace
{
    public const int MaxChoices = 100;

    public SearchSpace(IReadOnlyDictionary<string, SearchDimension> dimensions) =>
        Dimensions = [.. dimensions.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => (pair.Key, pair.Value))];

    public IReadOnlyList<(string Name, SearchDimension Dimension)> Dimensions { get; }

    public Dictionary<string, JsonElement> ToHyperparameters(double[] point) =>
        Dimensions.Select((dimension, index) => (dimension.Name, Value: ValueAt(dimension.Dimension, point[index])))
            .ToDictionary(pair => pair.Name, pair => pair.Value);

    public double[] ToPoint(IReadOnlyDictionary<string, JsonElement> hyperparameters) =>
        [.. Dimensions.Select(dimension => dimension.Dimension.Type == DimensionTypes.Categorical
            ? dimension.Dimension.Choices!.Select((choice, index) => (choice, index)).First(c => JsonElement.DeepEquals(c.choice, hyperparameters[dimension.Name])).index
            : hyperparameters[dimension.Name].GetDouble())];

    private static JsonElement ValueAt(SearchDimension dimension, double coordinate) => dimension.Type switch
    {
        DimensionTypes.Categorical => dimension.Choices![(int)coordinate],
        DimensionTypes.Integer => JsonSerializer.SerializeToElement((long)Math.Round(coordinate)),
        _ => JsonSerializer.SerializeToElement(coordinate),
    };

    /// <summary>
    /// Checks every dimension against the template's schema: the hyperparameter exists, the dimension's kind fits its
    /// type, and the whole range (or every choice) is a value the template accepts. Errors are keyed <c>searchSpace.&lt;name&gt;</c>.
    /// </summary>
    public static Dictionary<string, string[]> Validate(TrainingTemplate template, IReadOnlyDictionary<string, SearchDimension>? space)
    {
        var errors = new Dictionary<string, string[]>();
        if (space is null || space.Count == 0)
        {
            errors["searchSpace"] = ["The search space names at least one hyperparameter to search."];
            return errors;
        }
        foreach (var (name, dimension) in space)
        {
            var spec = template.Hyperparameters.SingleOrDefault(spec => spec.Name == name);
            var error = spec is null
                ? $"'{template.Reference}' has no hyperparameter '{name}'; it has {string.Join(", ", template.Hyperparameters.Select(s => s.Name))}."
                : Check(template, spec, dimension);
            if (error is not null)
            {
                errors[$"searchSpace.{name}"] = [error];
            }
        }
        return errors;
    }

    private static string? Check(TrainingTemplate template, HyperparameterSpec spec, SearchDimension dimension)
    {
        var range = $"from {Text(spec.Minimum)} to {Text(spec.Maximum)}";
        switch (dimension.Type)
        {
            case DimensionTypes.Uniform or DimensionTypes.LogUniform when spec.Type != HyperparameterTypes.Number:
                return $"'{spec.Name}' is of type {spec.Type}: search it as {(spec.Type == HyperparameterTypes.Integer ? "integer or categorical" : "categorical")}.";
            case DimensionTypes.Integer when spec.Type != HyperparameterTypes.Integer:
                return $"'{spec.Name}' is of type {spec.Type}: search it as {(spec.Type == HyperparameterTypes.Number ? "uniform, log-uniform or categorical" : "categorical")}.";
            case DimensionTypes.Uniform or DimensionTypes.LogUniform or DimensionTypes.Integer:
                if (dimension.Low is not { } low || dimension.High is not { } high || !double.IsFinite(low) || !double.IsFinite(high) || low >= high)
                {
                    return $"A {dimension.Type} dimension has numbers low < high.";
                }
                if (dimension.Type == DimensionTypes.Integer && (low != Math.Floor(low) || high != Math.Floor(high)))
                {
                    return "An integer dimension's low and high are integers.";
                }
                if (dimension.Type == DimensionTypes.LogUniform && low <= 0)
                {
                    return "A log-uniform dimension's low is above 0.";
                }
                return low < spec.Minimum || high > spec.Maximum
                    ? $"'{spec.Name}' is {range}, so its search range [{Text(low)}, {Text(high)}] must lie within it."
                    : null;
            case DimensionTypes.Categorical:
                if (dimension.Choices is not { Count: > 0 and <= MaxChoices } choices)
                {
                    return $"A categorical dimension has 1 to {MaxChoices} choices.";
                }
                foreach (var choice in choices)
                {
                    if (choice.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                    {
                        return "A choice is a value, not null.";
                    }
                    var (_, errors) = HyperparameterValidator.Validate(template, new Dictionary<string, JsonElement> { [spec.Name] = choice });
                    if (errors.Count > 0)
                    {
                        return $"The choice {choice.GetRawText()} is not a value of '{spec.Name}': {errors.Values.First()[0]}";
                    }
                }
                return null;
            default:
                return $"The type is one of {string.Join(", ", DimensionTypes.All)}.";
        }
    }

    private static string Text(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";
}
