using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NovaBrain.Training.Templates;

/// <summary>
/// A user's template: a name, the built-in template it is based on, and overrides of that template's hyperparameters:
/// other defaults, narrower ranges, fewer choices or list lengths, other descriptions.
/// </summary>
public sealed record CreateTemplateRequest(
    string? Name, string? BasedOn, string? Description, Dictionary<string, HyperparameterOverride>? Hyperparameters);

/// <summary>What a user's template changes in one hyperparameter; what it leaves out stays as the base template has it.</summary>
public sealed record HyperparameterOverride(
    JsonElement? Default = null,
    double? Minimum = null,
    double? Maximum = null,
    IReadOnlyList<string>? Choices = null,
    int? MinItems = null,
    int? MaxItems = null,
    string? Description = null);

/// <summary>
/// Derives a user's template from a built-in one. Ranges may only narrow: minima and maxima lie within the base's,
/// choices are a subset, list lengths within the base's bounds; every default lies within its (narrowed) range.
/// Errors are keyed by field (<c>hyperparameters.&lt;name&gt;.&lt;field&gt;</c>) and state the rule.
/// </summary>
public static partial class TemplateDefinition
{
    public static (TrainingTemplate? Template, Dictionary<string, string[]> Errors) Derive(CreateTemplateRequest request, int version)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Name is null || !NamePattern().IsMatch(request.Name))
        {
            errors["name"] = [$"A template name is 1 to {StoredTemplate.NameMaxLength} characters: lowercase letters, digits and '-', starting with a letter or digit."];
        }
        var baseTemplate = request.BasedOn is null ? null : BuiltInTemplates.Find(request.BasedOn, null);
        if (baseTemplate is null)
        {
            errors["basedOn"] = [$"A template is based on a built-in template: one of {string.Join(", ", BuiltInTemplates.All.Select(t => t.Name).Distinct())}."];
        }
        if (request.Description is { Length: > StoredTemplate.DescriptionMaxLength })
        {
            errors["description"] = [$"The description is at most {StoredTemplate.DescriptionMaxLength} characters."];
        }
        if (baseTemplate is null)
        {
            return (null, errors);
        }

        var overrides = request.Hyperparameters ?? [];
        foreach (var name in overrides.Keys.Where(name => baseTemplate.Hyperparameters.All(spec => spec.Name != name)))
        {
            errors[$"hyperparameters.{name}"] = [$"'{baseTemplate.Name}' has no hyperparameter '{name}'; it has {string.Join(", ", baseTemplate.Hyperparameters.Select(spec => spec.Name))}."];
        }
        var specs = baseTemplate.Hyperparameters
            .Select(spec => overrides.TryGetValue(spec.Name, out var change) ? Narrow(spec, change, errors) : spec)
            .ToList();
        var template = new TrainingTemplate(request.Name ?? "", version, baseTemplate.Architecture, baseTemplate.Task,
            string.IsNullOrWhiteSpace(request.Description) ? baseTemplate.Description : request.Description, specs, baseTemplate.Name);
        if (errors.Count == 0)
        {
            // The defaults together must make a job, e.g. no more convolution blocks than the default image allows.
            foreach (var (field, messages) in HyperparameterValidator.Validate(template, null).Errors)
            {
                errors[$"{field}.default"] = messages;
            }
        }
        return (errors.Count == 0 ? template : null, errors);
    }

    /// <summary>A stored spec's default back as the type jobs use (JSON reads it as a <see cref="JsonElement"/>).</summary>
    public static HyperparameterSpec WithTypedDefault(HyperparameterSpec spec) =>
        spec.Default is JsonElement element ? spec with { Default = HyperparameterValidator.Check(spec, element).Value! } : spec;

    private static HyperparameterSpec Narrow(HyperparameterSpec spec, HyperparameterOverride change, Dictionary<string, string[]> errors)
    {
        var key = $"hyperparameters.{spec.Name}";
        var ranged = spec.Type is HyperparameterTypes.Integer or HyperparameterTypes.Number or HyperparameterTypes.IntegerList;
        var narrowed = spec with { Description = string.IsNullOrWhiteSpace(change.Description) ? spec.Description : change.Description };

        if (change.Minimum is not null || change.Maximum is not null)
        {
            if (!ranged)
            {
                errors[$"{key}.minimum"] = [$"'{spec.Name}' is a {spec.Type}; only numbers, integers and integer lists have a range."];
            }
            else
            {
                var (minimum, maximum) = (change.Minimum ?? spec.Minimum!.Value, change.Maximum ?? spec.Maximum!.Value);
                if (minimum < spec.Minimum || minimum > spec.Maximum || (spec.Type != HyperparameterTypes.Number && minimum != Math.Floor(minimum)))
                {
                    errors[$"{key}.minimum"] = [$"The minimum of '{spec.Name}' is {Describe(spec)} from {Text(spec.Minimum)} to {Text(spec.Maximum)}, as in '{spec.Name}' of the base template."];
                }
                if (maximum < spec.Minimum || maximum > spec.Maximum || (spec.Type != HyperparameterTypes.Number && maximum != Math.Floor(maximum)))
                {
                    errors[$"{key}.maximum"] = [$"The maximum of '{spec.Name}' is {Describe(spec)} from {Text(spec.Minimum)} to {Text(spec.Maximum)}, as in '{spec.Name}' of the base template."];
                }
                if (minimum > maximum)
                {
                    errors[$"{key}.maximum"] = [$"The maximum of '{spec.Name}' ({Text(maximum)}) is below its minimum ({Text(minimum)})."];
                }
                narrowed = narrowed with { Minimum = minimum, Maximum = maximum };
            }
        }
        if (change.Choices is not null)
        {
            if (spec.Type != HyperparameterTypes.Choice)
            {
                errors[$"{key}.choices"] = [$"'{spec.Name}' is a {spec.Type}; only choices have choices."];
            }
            else if (change.Choices.Count == 0 || change.Choices.Distinct().Count() != change.Choices.Count || change.Choices.Any(choice => !spec.Choices!.Contains(choice)))
            {
                errors[$"{key}.choices"] = [$"The choices of '{spec.Name}' are distinct values from {string.Join(", ", spec.Choices!)}, at least one."];
            }
            else
            {
                narrowed = narrowed with { Choices = change.Choices };
            }
        }
        if (change.MinItems is not null || change.MaxItems is not null)
        {
            if (spec.Type != HyperparameterTypes.IntegerList)
            {
                errors[$"{key}.minItems"] = [$"'{spec.Name}' is a {spec.Type}; only integer lists have a length."];
            }
            else
            {
                var (minItems, maxItems) = (change.MinItems ?? spec.MinItems!.Value, change.MaxItems ?? spec.MaxItems!.Value);
                var rule = $"from {spec.MinItems} to {spec.MaxItems}, as in '{spec.Name}' of the base template";
                if (minItems < spec.MinItems || minItems > spec.MaxItems)
                {
                    errors[$"{key}.minItems"] = [$"The minItems of '{spec.Name}' is {rule}."];
                }
                if (maxItems < spec.MinItems || maxItems > spec.MaxItems)
                {
                    errors[$"{key}.maxItems"] = [$"The maxItems of '{spec.Name}' is {rule}."];
                }
                if (minItems > maxItems)
                {
                    errors[$"{key}.maxItems"] = [$"The maxItems of '{spec.Name}' ({maxItems}) is below its minItems ({minItems})."];
                }
                narrowed = narrowed with { MinItems = minItems, MaxItems = maxItems };
            }
        }

        if (errors.Keys.Any(field => field.StartsWith($"{key}.", StringComparison.Ordinal)))
        {
            return narrowed;
        }
        if (change.Default is { } value)
        {
            var (typed, error) = HyperparameterValidator.Check(narrowed, value);
            if (error is not null)
            {
                errors[$"{key}.default"] = [$"The default breaks the template's own rule: {error}"];
                return narrowed;
            }
            return narrowed with { Default = typed! };
        }
        var (_, baseDefaultError) = HyperparameterValidator.Check(narrowed, JsonSerializer.SerializeToElement(spec.Default));
        if (baseDefaultError is not null)
        {
            errors[$"{key}.default"] = [$"The base template's default {JsonSerializer.Serialize(spec.Default)} lies outside the narrowed rule ({baseDefaultError}); give a default."];
        }
        return narrowed;
    }

    private static string Describe(HyperparameterSpec spec) => spec.Type == HyperparameterTypes.Number ? "a number" : "an integer";

    private static string Text(double? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,99}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
