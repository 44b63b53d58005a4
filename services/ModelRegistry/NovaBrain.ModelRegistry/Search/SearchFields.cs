using System.Linq.Expressions;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>
/// The searchable and sortable fields of one entity type, each mapped to a member expression that EF Core can
/// translate. Filters compile against it (<see cref="SearchFilter.Compile{T}"/>), order_by clauses and page
/// tokens apply through it (<see cref="Page"/>, <see cref="ToPage"/>). Attribute names are case-insensitive.
/// </summary>
public sealed partial class SearchFields<T>
{
    private static readonly string[] Groups = ["tags", "metrics", "params"];

    private readonly Dictionary<string, AttributeField> attributes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, KeyValueGroup> groups = new(StringComparer.OrdinalIgnoreCase);
    private SortableMember? key;

    /// <summary>A string attribute: <c>= != LIKE ILIKE IN NOT IN</c>. Sortable only when asked, since a null breaks cursor order.</summary>
    public SearchFields<T> Text(string name, Expression<Func<T, string?>> selector, bool sortable = false, IEnumerable<string>? aliases = null) =>
        Add(new TextField(name, selector, sortable), aliases);

    /// <summary>A numeric attribute (int, long, short, float, double or decimal, nullable or not): <c>= != &lt; &lt;= &gt; &gt;=</c>; sortable unless nullable.</summary>
    public SearchFields<T> Number<TValue>(string name, Expression<Func<T, TValue>> selector, IEnumerable<string>? aliases = null)
        where TValue : struct =>
        Add(new NumberField(name, selector), aliases);

    /// <inheritdoc cref="Number{TValue}(string, Expression{Func{T, TValue}}, IEnumerable{string}?)"/>
    public SearchFields<T> Number<TValue>(string name, Expression<Func<T, TValue?>> selector, IEnumerable<string>? aliases = null)
        where TValue : struct =>
        Add(new NumberField(name, selector), aliases);

    /// <summary>A point in time that filters compare, as MLflow does, in milliseconds since the Unix epoch. Sortable.</summary>
    public SearchFields<T> Timestamp(string name, Expression<Func<T, DateTimeOffset>> selector, IEnumerable<string>? aliases = null) =>
        Add(new TimestampField(name, selector), aliases);

    /// <inheritdoc cref="Timestamp(string, Expression{Func{T, DateTimeOffset}}, IEnumerable{string}?)"/>
    public SearchFields<T> Timestamp(string name, Expression<Func<T, DateTimeOffset?>> selector, IEnumerable<string>? aliases = null) =>
        Add(new TimestampField(name, selector), aliases);

    /// <summary>An enum attribute compared by member name, case-insensitively: <c>= != IN NOT IN</c>.</summary>
    public SearchFields<T> Enum<TEnum>(string name, Expression<Func<T, TEnum>> selector, IEnumerable<string>? aliases = null)
        where TEnum : struct, Enum =>
        Add(new EnumField(name, selector, typeof(TEnum)), aliases);

    /// <summary>A string key-value collection (<c>tags</c> or <c>params</c>): <c>group.key = != LIKE ILIKE 'value'</c>, true when an entry with that key matches.</summary>
    public SearchFields<T> KeyValue<TItem>(
        string group,
        Expression<Func<T, IEnumerable<TItem>>> items,
        Expression<Func<TItem, string>> itemKey,
        Expression<Func<TItem, string?>> itemValue) =>
        AddGroup(new KeyValueGroup(group, items, itemKey, itemValue, numeric: false));

    /// <summary>A numeric key-value collection (<c>metrics</c>): <c>metrics.key = != &lt; &lt;= &gt; &gt;= number</c>.</summary>
    public SearchFields<T> NumericKeyValue<TItem>(
        string group,
        Expression<Func<T, IEnumerable<TItem>>> items,
        Expression<Func<TItem, string>> itemKey,
        Expression<Func<TItem, double>> itemValue) =>
        AddGroup(new KeyValueGroup(group, items, itemKey, itemValue, numeric: true));

    /// <summary>The entity's unique key: the last sort key of every order, so that pages are stable and cursors exact.</summary>
    public SearchFields<T> Key<TKey>(Expression<Func<T, TKey>> selector)
        where TKey : IComparable<TKey>
    {
        key = new SortableMember("key", selector);
        return this;
    }

    internal Expression<Func<T, bool>> Compile(FilterNode? root)
    {
        var entity = Expression.Parameter(typeof(T), "e");
        return Expression.Lambda<Func<T, bool>>(root is null ? Expression.Constant(true) : Build(root, entity), entity);
    }

    private Expression Build(FilterNode node, ParameterExpression entity) => node switch
    {
        AndFilter and => Expression.AndAlso(Build(and.Left, entity), Build(and.Right, entity)),
        OrFilter or => Expression.OrElse(Build(or.Left, entity), Build(or.Right, entity)),
        NotFilter not => Expression.Not(Build(not.Operand, entity)),
        ComparisonFilter { Field.Group: null } comparison => Attribute(comparison.Field).Build(entity, comparison),
        ComparisonFilter comparison => Group(comparison.Field).Build(entity, comparison),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    private AttributeField Attribute(FieldPath field) =>
        attributes.GetValueOrDefault(field.Key)
        ?? throw new FilterSyntaxException($"unknown field '{field.Text}'; searchable fields are {Searchable()}", field.Position);

    private KeyValueGroup Group(FieldPath field) =>
        groups.GetValueOrDefault(field.Group!)
        ?? throw new FilterSyntaxException($"{field.Group} cannot be searched here; searchable fields are {Searchable()}", field.Position);

    private string Searchable() =>
        string.Join(", ", attributes.Values.Select(a => a.Name).Distinct().Concat(groups.Keys.Select(g => $"{g}.<key>")));

    private SearchFields<T> Add(AttributeField field, IEnumerable<string>? aliases)
    {
        foreach (var name in (aliases ?? []).Prepend(field.Name))
        {
            if (!attributes.TryAdd(name, field))
            {
                throw new ArgumentException($"The search field '{name}' is already registered.", nameof(aliases));
            }
        }

        return this;
    }

    private SearchFields<T> AddGroup(KeyValueGroup group)
    {
        if (!Groups.Contains(group.Name) || !groups.TryAdd(group.Name, group))
        {
            throw new ArgumentException($"A key-value group is one of {string.Join(", ", Groups)}, each registered once; got '{group.Name}'.", nameof(group));
        }

        return this;
    }

    private static Expression Rebind(LambdaExpression selector, Expression target) =>
        new ParameterReplacer(selector.Parameters[0], target).Visit(selector.Body);

    private sealed class ParameterReplacer(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
}
