namespace NovaBrain.ModelRegistry.Search;

/// <summary>A node of a parsed search filter. <c>ToString()</c> renders it fully parenthesised, to show how it was grouped.</summary>
public abstract record FilterNode;

public sealed record AndFilter(FilterNode Left, FilterNode Right) : FilterNode
{
    public override string ToString() => $"({Left} AND {Right})";
}

public sealed record OrFilter(FilterNode Left, FilterNode Right) : FilterNode
{
    public override string ToString() => $"({Left} OR {Right})";
}

public sealed record NotFilter(FilterNode Operand) : FilterNode
{
    public override string ToString() => $"(NOT {Operand})";
}

/// <summary>One <c>field comparator value</c> clause.</summary>
public sealed record ComparisonFilter(FieldPath Field, Comparator Comparator, int ComparatorPosition, FilterValue Value) : FilterNode
{
    public override string ToString() => $"{Field} {Comparator.Symbol()} {Value}";
}

/// <summary>
/// The left-hand side of a comparison: a plain attribute (<see cref="Group"/> is null) or a key of a key-value
/// collection (<see cref="Group"/> is <c>tags</c>, <c>metrics</c> or <c>params</c>, MLflow's singular and long
/// spellings normalised). <see cref="Text"/> is the identifier as written, for messages.
/// </summary>
public sealed record FieldPath(string? Group, string Key, string Text, int Position)
{
    public override string ToString() => Group is null ? Key : $"{Group}.{FilterText.Key(Key)}";
}

public abstract record FilterValue(int Position);

public sealed record StringValue(string Value, int Position) : FilterValue(Position)
{
    public override string ToString() => FilterText.String(Value);
}

/// <summary>A numeric literal; <see cref="Text"/> keeps the digits as written so integer fields convert it exactly.</summary>
public sealed record NumberValue(double Value, string Text, int Position) : FilterValue(Position)
{
    public override string ToString() => Text;
}

/// <summary>The parenthesised list of strings after <c>IN</c> / <c>NOT IN</c>.</summary>
public sealed record StringListValue(IReadOnlyList<string> Values, int Position) : FilterValue(Position)
{
    public override string ToString() => $"({string.Join(", ", Values.Select(FilterText.String))})";
}

public enum Comparator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Like,
    ILike,
    In,
    NotIn,
}

public static class ComparatorExtensions
{
    public static string Symbol(this Comparator comparator) => comparator switch
    {
        Comparator.Equal => "=",
        Comparator.NotEqual => "!=",
        Comparator.LessThan => "<",
        Comparator.LessThanOrEqual => "<=",
        Comparator.GreaterThan => ">",
        Comparator.GreaterThanOrEqual => ">=",
        Comparator.Like => "LIKE",
        Comparator.ILike => "ILIKE",
        Comparator.In => "IN",
        Comparator.NotIn => "NOT IN",
        _ => throw new ArgumentOutOfRangeException(nameof(comparator)),
    };
}

internal static class FilterText
{
    public static string String(string value) => $"'{value.Replace("'", "''")}'";

    public static string Key(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.') ? key : $"`{key.Replace("`", "``")}`";
}
