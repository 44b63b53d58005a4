using System.Linq.Expressions;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>
/// A parsed search filter: MLflow's grammar (<c>name LIKE 'fraud%' AND tags.team = 'vision' AND metrics.accuracy &gt; 0.9</c>)
/// plus OR, NOT and parentheses. An empty filter matches everything.
/// </summary>
public sealed record SearchFilter(FilterNode? Root)
{
    /// <exception cref="FilterSyntaxException">The text is not a well-formed filter.</exception>
    public static SearchFilter Parse(string? text) =>
        new(string.IsNullOrWhiteSpace(text) ? null : new FilterParser(text).ParseFilter());

    /// <summary>A predicate over <typeparamref name="T"/> that EF Core translates to SQL, every user value a parameter.</summary>
    /// <exception cref="FilterSyntaxException">A field is unknown, a comparator is not allowed for its field, or a value has the wrong type.</exception>
    public Expression<Func<T, bool>> Compile<T>(SearchFields<T> fields) => fields.Compile(Root);

    public override string ToString() => Root?.ToString() ?? "";
}

public enum SortDirection
{
    Ascending,
    Descending,
}

/// <summary>One MLflow order_by clause (<c>name ASC</c>, <c>version_number DESC</c>, <c>creation_timestamp</c>).</summary>
public sealed record SortClause(string Field, SortDirection Direction, int Position)
{
    /// <summary>
    /// Parses MLflow's order_by list: each entry one or more comma-separated clauses
    /// <c>field [ASC|DESC]</c> (ascending by default). Null or blank entries are skipped.
    /// </summary>
    /// <exception cref="FilterSyntaxException">A clause is malformed; the position is within that entry.</exception>
    public static IReadOnlyList<SortClause> Parse(IEnumerable<string?>? orderBy) =>
        orderBy?.Where(entry => !string.IsNullOrWhiteSpace(entry))
            .SelectMany(entry => new FilterParser(entry!).ParseOrderBy())
            .ToList() ?? [];

    public override string ToString() => $"{Field} {(Direction == SortDirection.Ascending ? "ASC" : "DESC")}";
}
