using System.Globalization;
using System.Text.Json;

namespace NovaBrain.Training.Templates;

/// <summary>
/// Checks submitted hyperparameters against a template's schema and fills in the defaults. Every error is keyed by
/// <c>hyperparameters.&lt;name&gt;</c> and states the rule that was broken.
/// </summary>
public static class HyperparameterValidator
{
    public static (Hyperparameters? Values, Dictionary<string, string[]> Errors) Validate(
        TrainingTemplate template, IReadOnlyDictionary<string, JsonElement>? submitted)
    {
        var errors = new Dictionary<string, string[]>();
        var values = new Dictionary<string, object>();
        foreach (var name in (submitted?.Keys ?? []).Where(name => template.Hyperparameters.All(spec => spec.Name != name)))
        {
            errors[Key(name)] = [$"'{template.Reference}' has no hyperparameter '{name}'; it has {string.Join(", ", template.Hyperparameters.Select(spec => spec.Name))}."];
        }
        foreach (var spec in template.Hyperparameters)
        {
            if (submitted is null || !submitted.TryGetValue(spec.Name, out var element) || element.ValueKind == JsonValueKind.Null)
            {
                values[spec.Name] = spec.Default;
            }
            else if (Read(spec, element) is { Error: { } error })
            {
                errors[Key(spec.Name)] = [error];
            }
            else
            {
                values[spec.Name] = Read(spec, element).Value!;
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new Hyperparameters(
            (IReadOnlyList<int>)values[Hyperparameters.HiddenLayersName],
            Convert.ToDouble(values[Hyperparameters.LearningRateName], CultureInfo.InvariantCulture),
            Convert.ToInt32(values[Hyperparameters.BatchSizeName], CultureInfo.InvariantCulture),
            Convert.ToInt32(values[Hyperparameters.EpochsName], CultureInfo.InvariantCulture),
            (string)values[Hyperparameters.OptimizerName],
            (string)values[Hyperparameters.LrScheduleName],
            Convert.ToInt32(values[Hyperparameters.EarlyStoppingPatienceName], CultureInfo.InvariantCulture),
            Convert.ToDouble(values[Hyperparameters.ValidationFractionName], CultureInfo.InvariantCulture),
            Convert.ToInt32(values[Hyperparameters.CheckpointEveryName], CultureInfo.InvariantCulture),
            Convert.ToInt32(values[Hyperparameters.SeedName], CultureInfo.InvariantCulture)), errors);
    }

    private static string Key(string name) => $"hyperparameters.{name}";

    private static (object? Value, string? Error) Read(HyperparameterSpec spec, JsonElement element) => spec.Type switch
    {
        HyperparameterTypes.Integer => element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var integer)
            ? InRange(spec, integer, (int)integer)
            : (null, $"'{spec.Name}' is an integer{RangeText(spec)}."),
        HyperparameterTypes.Number => element.ValueKind == JsonValueKind.Number && element.GetDouble() is var number && double.IsFinite(number)
            ? InRange(spec, number, number)
            : (null, $"'{spec.Name}' is a number{RangeText(spec)}."),
        HyperparameterTypes.Choice => element.ValueKind == JsonValueKind.String && spec.Choices!.Contains(element.GetString()!)
            ? (element.GetString(), null)
            : (null, $"'{spec.Name}' is one of {string.Join(", ", spec.Choices!)}."),
        HyperparameterTypes.IntegerList => ReadIntegerList(spec, element),
        _ => throw new InvalidOperationException($"Unknown hyperparameter type {spec.Type}."),
    };

    private static (object? Value, string? Error) InRange(HyperparameterSpec spec, double number, object value) =>
        number < spec.Minimum || number > spec.Maximum
            ? (null, $"'{spec.Name}' is {number.ToString(CultureInfo.InvariantCulture)}; it must be{RangeText(spec)}.")
            : (value, null);

    private static (object? Value, string? Error) ReadIntegerList(HyperparameterSpec spec, JsonElement element)
    {
        var rule = $"'{spec.Name}' is a list of {spec.MinItems} to {spec.MaxItems} integers, each{RangeText(spec)}.";
        if (element.ValueKind != JsonValueKind.Array || element.GetArrayLength() < spec.MinItems || element.GetArrayLength() > spec.MaxItems)
        {
            return (null, rule);
        }
        var items = new List<int>();
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var width) || width < spec.Minimum || width > spec.Maximum)
            {
                return (null, rule);
            }
            items.Add(width);
        }
        return (items.ToArray(), null);
    }

    private static string RangeText(HyperparameterSpec spec) =>
        $" from {spec.Minimum?.ToString(CultureInfo.InvariantCulture)} to {spec.Maximum?.ToString(CultureInfo.InvariantCulture)}";
}
