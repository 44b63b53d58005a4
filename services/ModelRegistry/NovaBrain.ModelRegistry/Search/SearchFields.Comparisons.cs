using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>The field kinds and the expressions each comparator compiles to.</summary>
public sealed partial class SearchFields<T>
{
    private static readonly MethodInfo Like = typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like), [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;
    private static readonly MethodInfo ILike = typeof(NpgsqlDbFunctionsExtensions).GetMethod(nameof(NpgsqlDbFunctionsExtensions.ILike), [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    /// <summary>PostgreSQL's default LIKE escape, which MLflow's queries get too (Npgsql would otherwise send <c>ESCAPE ''</c>).</summary>
    private static readonly Expression LikeEscape = Expression.Constant(@"\");
    private static readonly MethodInfo Any = typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Any) && m.GetParameters().Length == 2);
    private static readonly MethodInfo Contains = typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Contains) && m.GetParameters().Length == 2);
    private static readonly Expression EfFunctions = Expression.Property(null, typeof(EF), nameof(EF.Functions));

    private static readonly Comparator[] NumericComparators =
        [Comparator.Equal, Comparator.NotEqual, Comparator.LessThan, Comparator.LessThanOrEqual, Comparator.GreaterThan, Comparator.GreaterThanOrEqual];
    private static readonly Comparator[] KeyValueComparators = [Comparator.Equal, Comparator.NotEqual, Comparator.Like, Comparator.ILike];
    private static readonly Comparator[] TextComparators = [.. KeyValueComparators, Comparator.In, Comparator.NotIn];
    private static readonly Comparator[] EnumComparators = [Comparator.Equal, Comparator.NotEqual, Comparator.In, Comparator.NotIn];

    /// <summary>
    /// A user's value as a member of a constant object, the shape of a captured variable: EF Core sends it as a
    /// parameter instead of inlining it into the SQL (and reuses the compiled query for other values).
    /// </summary>
    private static MemberExpression Captured(object? value, Type type) =>
        Expression.Property(Expression.Constant(Activator.CreateInstance(typeof(CapturedValue<>).MakeGenericType(type), [value])), nameof(CapturedValue<>.Value));

    /// <summary>MLflow never matches a missing value, also not with != or NOT IN; C# null semantics would.</summary>
    private static Expression PresentAnd(Expression access, Expression comparison) =>
        IsNullable(access.Type) ? Expression.AndAlso(Expression.NotEqual(access, Expression.Constant(null, access.Type)), comparison) : comparison;

    private static Expression Compare(Expression access, Comparator comparator, Expression value) => comparator switch
    {
        Comparator.Equal => Expression.Equal(access, value),
        Comparator.NotEqual => PresentAnd(access, Expression.NotEqual(access, value)),
        Comparator.LessThan => Expression.LessThan(access, value),
        Comparator.LessThanOrEqual => Expression.LessThanOrEqual(access, value),
        Comparator.GreaterThan => Expression.GreaterThan(access, value),
        Comparator.GreaterThanOrEqual => Expression.GreaterThanOrEqual(access, value),
        Comparator.Like => Expression.Call(Like, EfFunctions, access, value, LikeEscape),
        Comparator.ILike => Expression.Call(ILike, EfFunctions, access, value, LikeEscape),
        Comparator.In => Expression.Call(Contains.MakeGenericMethod(access.Type), value, access),
        Comparator.NotIn => PresentAnd(access, Expression.Not(Expression.Call(Contains.MakeGenericMethod(access.Type), value, access))),
        _ => throw new ArgumentOutOfRangeException(nameof(comparator)),
    };

    private static void Require(ComparisonFilter comparison, string subject, Comparator[] allowed)
    {
        if (!allowed.Contains(comparison.Comparator))
        {
            throw new FilterSyntaxException(
                $"{subject} {string.Join(", ", allowed.Select(c => c.Symbol()))}; got {comparison.Comparator.Symbol()}", comparison.ComparatorPosition);
        }
    }

    private static string StringOf(ComparisonFilter comparison) => comparison.Value is StringValue text
        ? text.Value
        : throw new FilterSyntaxException($"expected a quoted string for '{comparison.Field.Text}'; got {comparison.Value}", comparison.Value.Position);

    private static NumberValue NumberOf(ComparisonFilter comparison) => comparison.Value is NumberValue number
        ? number
        : throw new FilterSyntaxException($"expected a number for '{comparison.Field.Text}'; got {comparison.Value}", comparison.Value.Position);

    private static IReadOnlyList<string> ListOf(ComparisonFilter comparison) =>
        comparison.Value is StringListValue list ? list.Values : [StringOf(comparison)];

    /// <summary>Converts a literal to an integral or decimal field's type exactly, refusing fractions and overflow.</summary>
    private static object NumberAs(Type type, NumberValue number, FieldPath field)
    {
        if (type == typeof(double))
        {
            return number.Value;
        }

        if (type == typeof(float))
        {
            return (float)number.Value;
        }

        if (!decimal.TryParse(number.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact))
        {
            throw new FilterSyntaxException($"{number.Text} is out of range for '{field.Text}'", number.Position);
        }

        if (type != typeof(decimal) && exact != decimal.Truncate(exact))
        {
            throw new FilterSyntaxException($"'{field.Text}' takes whole numbers; got {number.Text}", number.Position);
        }

        try
        {
            return Convert.ChangeType(exact, type, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            throw new FilterSyntaxException($"{number.Text} is out of range for '{field.Text}'", number.Position);
        }
    }

    private abstract class AttributeField(string name, LambdaExpression selector)
    {
        public string Name { get; } = name;

        public LambdaExpression Selector { get; } = selector;

        public abstract bool Sortable { get; }

        public SortableMember SortMember { get; } = new(name, selector);

        public Expression Build(ParameterExpression entity, ComparisonFilter comparison)
        {
            Require(comparison, $"'{Name}' supports", Comparators);
            return Compare(Rebind(Selector, entity), comparison);
        }

        protected abstract Comparator[] Comparators { get; }

        protected abstract Expression Compare(Expression access, ComparisonFilter comparison);
    }

    private sealed class TextField(string name, LambdaExpression selector, bool sortable) : AttributeField(name, selector)
    {
        public override bool Sortable => sortable;

        protected override Comparator[] Comparators => TextComparators;

        protected override Expression Compare(Expression access, ComparisonFilter comparison) =>
            TextComparison(access, comparison);
    }

    private sealed class NumberField(string name, LambdaExpression selector) : AttributeField(name, selector)
    {
        private static readonly Type[] Supported = [typeof(int), typeof(long), typeof(short), typeof(float), typeof(double), typeof(decimal)];

        private readonly Type type = Supported.Contains(Nullable.GetUnderlyingType(selector.ReturnType) ?? selector.ReturnType)
            ? Nullable.GetUnderlyingType(selector.ReturnType) ?? selector.ReturnType
            : throw new ArgumentException($"A numeric search field is one of {string.Join(", ", Supported.Select(t => t.Name))}; '{name}' is {selector.ReturnType.Name}.", nameof(selector));

        public override bool Sortable => !IsNullable(Selector.ReturnType);

        protected override Comparator[] Comparators => NumericComparators;

        protected override Expression Compare(Expression access, ComparisonFilter comparison) =>
            SearchFields<T>.Compare(access, comparison.Comparator, Captured(NumberAs(type, NumberOf(comparison), comparison.Field), access.Type));
    }

    private sealed class TimestampField(string name, LambdaExpression selector) : AttributeField(name, selector)
    {
        public override bool Sortable => !IsNullable(Selector.ReturnType);

        protected override Comparator[] Comparators => NumericComparators;

        protected override Expression Compare(Expression access, ComparisonFilter comparison)
        {
            var number = NumberOf(comparison);
            var milliseconds = (long)NumberAs(typeof(long), number, comparison.Field);
            if (milliseconds < DateTimeOffset.MinValue.ToUnixTimeMilliseconds() || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                throw new FilterSyntaxException($"{number.Text} is out of range for '{comparison.Field.Text}' (milliseconds since the Unix epoch)", number.Position);
            }

            var instant = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            return SearchFields<T>.Compare(access, comparison.Comparator, Captured(instant, access.Type));
        }
    }

    private sealed class EnumField(string name, LambdaExpression selector, Type enumType) : AttributeField(name, selector)
    {
        public override bool Sortable => false;

        protected override Comparator[] Comparators => EnumComparators;

        protected override Expression Compare(Expression access, ComparisonFilter comparison)
        {
            var members = ListOf(comparison).Select(value => EnumMember(value, comparison)).ToArray();
            if (comparison.Comparator is Comparator.In or Comparator.NotIn)
            {
                var typed = Array.CreateInstance(enumType, members.Length);
                Array.Copy(members, typed, members.Length);
                return SearchFields<T>.Compare(access, comparison.Comparator, Captured(typed, typed.GetType()));
            }

            return SearchFields<T>.Compare(access, comparison.Comparator, Captured(members[0], enumType));
        }

        private object EnumMember(string value, ComparisonFilter comparison)
        {
            var names = System.Enum.GetNames(enumType);
            var match = names.FirstOrDefault(n => n.Equals(value, StringComparison.OrdinalIgnoreCase))
                ?? throw new FilterSyntaxException($"'{Name}' is one of {string.Join(", ", names)}; got '{value}'", comparison.Value.Position);
            return System.Enum.Parse(enumType, match);
        }
    }

    private static Expression TextComparison(Expression access, ComparisonFilter comparison) =>
        comparison.Comparator is Comparator.In or Comparator.NotIn
            ? Compare(access, comparison.Comparator, Captured(((StringListValue)comparison.Value).Values.ToArray(), typeof(string[])))
            : Compare(access, comparison.Comparator, Captured(StringOf(comparison), typeof(string)));

    private sealed class KeyValueGroup(string name, LambdaExpression items, LambdaExpression itemKey, LambdaExpression itemValue, bool numeric)
    {
        public string Name { get; } = name;

        public Expression Build(ParameterExpression entity, ComparisonFilter comparison)
        {
            Require(comparison, $"{Name} support", numeric ? NumericComparators : KeyValueComparators);
            var item = Expression.Parameter(itemKey.Parameters[0].Type, "item");
            var value = Rebind(itemValue, item);
            var matches = Expression.AndAlso(
                Expression.Equal(Rebind(itemKey, item), Captured(comparison.Field.Key, typeof(string))),
                numeric
                    ? SearchFields<T>.Compare(value, comparison.Comparator, Captured(NumberOf(comparison).Value, typeof(double)))
                    : TextComparison(value, comparison));
            return Expression.Call(Any.MakeGenericMethod(item.Type), Rebind(items, entity), Expression.Lambda(matches, item));
        }
    }
}

internal sealed record CapturedValue<TValue>(TValue Value);
