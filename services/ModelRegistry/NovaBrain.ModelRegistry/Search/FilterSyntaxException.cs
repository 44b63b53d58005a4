namespace NovaBrain.ModelRegistry.Search;

/// <summary>
/// A search filter or order_by clause that cannot be parsed or does not fit the searched entity's fields.
/// <see cref="Position"/> is the zero-based character offset in the text the error was found at.
/// </summary>
public sealed class FilterSyntaxException(string reason, int position)
    : Exception($"{reason} at position {position}")
{
    /// <summary>What was wrong, without the position (the message appends it).</summary>
    public string Reason { get; } = reason;

    public int Position { get; } = position;
}
