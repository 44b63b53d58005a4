using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>Sorting by order_by clauses and keyset pagination with opaque page tokens.</summary>
public sealed partial class SearchFields<T>
{
    /// <summary>
    /// The query of one page: rows after the page token's row (keyset pagination, no offsets), in the given order
    /// with the key breaking ties, at most <paramref name="maxResults"/> + 1 of them (the extra row says whether a
    /// next page exists; pass the rows to <see cref="ToPage"/>).
    /// </summary>
    /// <exception cref="FilterSyntaxException">An order_by field is unknown or not sortable.</exception>
    /// <exception cref="InvalidPageTokenException">The page token is garbled, tampered with or made for another order.</exception>
    public IQueryable<T> Page(IQueryable<T> query, IReadOnlyList<SortClause> order, string? pageToken, int maxResults)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResults, 1);
        var sortKeys = SortKeys(order);
        if (!string.IsNullOrEmpty(pageToken))
        {
            var after = PageToken.Decode(pageToken, Signature(sortKeys), sortKeys.Select(k => k.Member.Selector.ReturnType).ToList());
            query = query.Where(Seek(sortKeys, after));
        }

        var ordered = query;
        for (var i = 0; i < sortKeys.Count; i++)
        {
            var method = (i == 0 ? "OrderBy" : "ThenBy") + (sortKeys[i].Direction == SortDirection.Descending ? "Descending" : "");
            ordered = ordered.Provider.CreateQuery<T>(Expression.Call(
                typeof(Queryable), method, [typeof(T), sortKeys[i].Member.Selector.ReturnType], ordered.Expression, Expression.Quote(sortKeys[i].Member.Selector)));
        }

        return ordered.Take(maxResults + 1);
    }

    /// <summary>
    /// The page from the rows <see cref="Page"/>'s query returned: the first <paramref name="maxResults"/> and, when
    /// there were more, the token of the last one. The sort fields are read from the loaded rows, so navigations
    /// they go through (such as <c>v =&gt; v.Model.Name</c>) must be included in the query.
    /// </summary>
    public SearchPage<T> ToPage(IReadOnlyList<T> rows, IReadOnlyList<SortClause> order, int maxResults)
    {
        if (rows.Count <= maxResults)
        {
            return new SearchPage<T>(rows, null);
        }

        var sortKeys = SortKeys(order);
        var last = rows[maxResults - 1];
        var values = sortKeys.Select(k => ReadSortValue(k, last)).ToList();
        return new SearchPage<T>(rows.Take(maxResults).ToList(), PageToken.Encode(Signature(sortKeys), values, sortKeys.Select(k => k.Member.Selector.ReturnType).ToList()));
    }

    private List<SortKey> SortKeys(IReadOnlyList<SortClause> order)
    {
        var keyMember = key ?? throw new InvalidOperationException($"Sorting and paging need the entity's unique key: call {nameof(Key)} on the search fields.");
        var sortKeys = new List<SortKey>();
        foreach (var clause in order)
        {
            var field = attributes.GetValueOrDefault(clause.Field);
            if (field is not { Sortable: true })
            {
                var sortable = string.Join(", ", attributes.Values.Where(a => a.Sortable).Select(a => a.Name).Distinct());
                throw new FilterSyntaxException(
                    field is null ? $"unknown sort field '{clause.Field}'; sortable fields are {sortable}" : $"'{field.Name}' cannot be sorted by; sortable fields are {sortable}",
                    clause.Position);
            }

            sortKeys.Add(new SortKey(field.SortMember, clause.Direction));
        }

        sortKeys.Add(new SortKey(keyMember, SortDirection.Ascending));
        return sortKeys;
    }

    private static string Signature(List<SortKey> sortKeys) =>
        string.Join(",", sortKeys.Select(k => $"{k.Member.Name}:{(k.Direction == SortDirection.Ascending ? "asc" : "desc")}"));

    /// <summary>Rows strictly after the cursor in the sort order: (k1 &gt; v1) OR (k1 = v1 AND k2 &gt; v2) OR ... (with &lt; for descending keys).</summary>
    private static Expression<Func<T, bool>> Seek(List<SortKey> sortKeys, IReadOnlyList<object?> after)
    {
        var entity = Expression.Parameter(typeof(T), "e");
        Expression? seek = null;
        Expression? equalSoFar = null;
        for (var i = 0; i < sortKeys.Count; i++)
        {
            var access = Rebind(sortKeys[i].Member.Selector, entity);
            var value = Captured(after[i], access.Type);
            var beyond = sortKeys[i].Direction == SortDirection.Ascending ? ExpressionType.GreaterThan : ExpressionType.LessThan;
            var step = Order(access, value, beyond, sortKeys[i].Member.IsText);
            var term = equalSoFar is null ? step : Expression.AndAlso(equalSoFar, step);
            seek = seek is null ? term : Expression.OrElse(seek, term);
            var equal = Expression.Equal(access, value);
            equalSoFar = equalSoFar is null ? equal : Expression.AndAlso(equalSoFar, equal);
        }

        return Expression.Lambda<Func<T, bool>>(seek!, entity);
    }

    /// <summary>Strings have no &lt; operator in C#; <c>string.Compare(a, b) &gt; 0</c> is the form EF Core translates to <c>a &gt; b</c>.</summary>
    private static Expression Order(Expression access, Expression value, ExpressionType comparison, bool isText) =>
        isText
            ? Expression.MakeBinary(comparison, Expression.Call(StringCompare, access, value), Expression.Constant(0))
            : Expression.MakeBinary(comparison, access, value);

    private object? ReadSortValue(SortKey sortKey, T row)
    {
        try
        {
            return sortKey.Member.Read(row);
        }
        catch (NullReferenceException exception)
        {
            throw new InvalidOperationException($"The sort field '{sortKey.Member.Name}' reads a navigation the query did not load; include it.", exception);
        }
    }

    private static readonly MethodInfo StringCompare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    private sealed record SortKey(SortableMember Member, SortDirection Direction);

    /// <summary>A field as a sort key: its selector for queries, compiled once to read a loaded row's value into a page token.</summary>
    private sealed class SortableMember(string name, LambdaExpression selector)
    {
        private readonly Lazy<Func<T, object?>> reader = new(() => Expression.Lambda<Func<T, object?>>(
            Expression.Convert(selector.Body, typeof(object)), selector.Parameters).Compile());

        public string Name => name;

        public LambdaExpression Selector => selector;

        public bool IsText => selector.ReturnType == typeof(string);

        public object? Read(T row) => reader.Value(row);
    }
}

/// <summary>One page of search results; <see cref="NextPageToken"/> is null on the last page.</summary>
public sealed record SearchPage<T>(IReadOnlyList<T> Items, string? NextPageToken);

public static class SearchQueryableExtensions
{
    /// <summary>Reads one page: <see cref="SearchFields{T}.Page"/>, then <see cref="SearchFields{T}.ToPage"/> on the rows.</summary>
    public static async Task<SearchPage<T>> ToSearchPageAsync<T>(
        this IQueryable<T> query,
        SearchFields<T> fields,
        IReadOnlyList<SortClause> order,
        string? pageToken,
        int maxResults,
        CancellationToken cancellationToken) =>
        fields.ToPage(await fields.Page(query, order, pageToken, maxResults).ToListAsync(cancellationToken), order, maxResults);
}
