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
            else if (Check(spec, element) is var (value, error) && error is not null)
            {
                errors[Key(spec.Name)] = [error];
            }
            else
            {
                values[spec.Name] = value!;
            }
        }
        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var convolution = template.Architecture == BuiltInTemplates.CnnArchitecture
            ? new ConvolutionSettings(
                Integer(values, Hyperparameters.ImageChannelsName), Integer(values, Hyperparameters.ImageHeightName),
                Integer(values, Hyperparameters.ImageWidthName), (IReadOnlyList<int>)values[Hyperparameters.ConvFiltersName],
                Integer(values, Hyperparameters.KernelSizeName))
            : null;
        if (convolution is not null && Math.Min(convolution.Height, convolution.Width) >> convolution.Filters.Count < 1)
        {
            errors[Key(Hyperparameters.ConvFiltersName)] =
            [
                $"'{Hyperparameters.ConvFiltersName}' has {convolution.Filters.Count} blocks, each halving the image; a {convolution.Height}×{convolution.Width} image allows at most {(int)Math.Log2(Math.Min(convolution.Height, convolution.Width))}.",
            ];
            return (null, errors);
        }

        return (new Hyperparameters(
            (IReadOnlyList<int>)values[Hyperparameters.HiddenLayersName],
            Convert.ToDouble(values[Hyperparameters.LearningRateName], CultureInfo.InvariantCulture),
            Integer(values, Hyperparameters.BatchSizeName),
            Integer(values, Hyperparameters.EpochsName),
            (string)values[Hyperparameters.OptimizerName],
            (string)values[Hyperparameters.LrScheduleName],
            Integer(values, Hyperparameters.EarlyStoppingPatienceName),
            Convert.ToDouble(values[Hyperparameters.ValidationFractionName], CultureInfo.InvariantCulture),
            Integer(values, Hyperparameters.CheckpointEveryName),
            Integer(values, Hyperparameters.SeedName),
            Integer(values, Hyperparameters.CheckpointEveryStepsName),
            convolution), errors);
    }

    private static int Integer(Dictionary<string, object> values, string name) => Convert.ToInt32(values[name], CultureInfo.InvariantCulture);

    private static string Key(string name) => $"hyperparameters.{name}";

    /// <summary>
    /// A value against one spec: the value as a template or job holds it (int, double, string or int[]), or the rule it breaks.
    /// </summary>
    public static (object? Value, string? Error) Check(HyperparameterSpec spec, JsonElement element) => spec.Type switch
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
