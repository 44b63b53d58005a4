using System.Text.Json.Serialization;

namespace NovaBrain.Training.Templates;

/// <summary>The kinds of value a hyperparameter takes.</summary>
public static class HyperparameterTypes
{
    public const string Integer = "integer";
    public const string Number = "number";
    public const string Choice = "choice";
    public const string IntegerList = "integer-list";
}

/// <summary>
/// One hyperparameter of a template: its type, the range or the choices it accepts, its default and what it does.
/// For an <see cref="HyperparameterTypes.IntegerList"/> the range applies to every element and
/// <see cref="MinItems"/>/<see cref="MaxItems"/> bound its length.
/// </summary>
public sealed record HyperparameterSpec(
    string Name,
    string Type,
    string Description,
    object Default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Minimum = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Maximum = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Choices = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MinItems = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MaxItems = null);
