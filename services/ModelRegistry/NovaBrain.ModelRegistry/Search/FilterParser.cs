using System.Globalization;

namespace NovaBrain.ModelRegistry.Search;

/// <summary>
/// Recursive-descent parser for MLflow's search filter grammar plus OR, NOT and parentheses
/// (precedence NOT &gt; AND &gt; OR), and for order_by clauses. Keywords are case-insensitive.
/// </summary>
internal sealed class FilterParser(string text)
{
    private static readonly string[] Reserved = ["AND", "OR", "NOT", "LIKE", "ILIKE", "IN", "ASC", "DESC"];

    private int position;

    public FilterNode ParseFilter()
    {
        var filter = ParseOr();
        SkipWhitespace();
        if (!AtEnd)
        {
            throw Current == ')'
                ? Error("unexpected ')' without a matching '('", position)
                : Error($"expected AND, OR or the end of the filter; got '{Snippet()}'", position);
        }

        return filter;
    }

    public IReadOnlyList<SortClause> ParseOrderBy()
    {
        var clauses = new List<SortClause>();
        do
        {
            var field = ParseField();
            if (field.Group is not null)
            {
                throw Error($"only attributes can be sorted by; got '{field.Text}'", field.Position);
            }

            var direction = TryKeyword("DESC") ? SortDirection.Descending : SortDirection.Ascending;
            if (direction == SortDirection.Ascending)
            {
                TryKeyword("ASC");
            }

            clauses.Add(new SortClause(field.Key, direction, field.Position));
            SkipWhitespace();
            if (!AtEnd && Current != ',')
            {
                throw Error($"expected ASC, DESC, ',' or the end of the order_by clause after '{field.Text}'; got '{Snippet()}'", position);
            }
        }
        while (TryChar(','));

        return clauses;
    }

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (TryKeyword("OR"))
        {
            left = new OrFilter(left, ParseAnd());
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseUnary();
        while (TryKeyword("AND"))
        {
            left = new AndFilter(left, ParseUnary());
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        if (TryKeyword("NOT"))
        {
            return new NotFilter(ParseUnary());
        }

        SkipWhitespace();
        var open = position;
        if (TryChar('('))
        {
            var inner = ParseOr();
            if (!TryChar(')'))
            {
                throw AtEnd
                    ? Error($"expected ')' to close the '(' at position {open}", position)
                    : Error($"expected ')' to close the '(' at position {open}; got '{Snippet()}'", position);
            }

            return inner;
        }

        return ParseComparison();
    }

    private ComparisonFilter ParseComparison()
    {
        var field = ParseField();
        SkipWhitespace();
        var comparatorPosition = position;
        var comparator = TryComparator()
            ?? throw Error($"expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN) after '{field.Text}'", comparatorPosition);

        SkipWhitespace();
        FilterValue value = comparator is Comparator.In or Comparator.NotIn
            ? ParseStringList(field, comparator)
            : ParseScalar(field, comparator);
        return new ComparisonFilter(field, comparator, comparatorPosition, value);
    }

    private FieldPath ParseField()
    {
        SkipWhitespace();
        var start = position;
        if (AtEnd)
        {
            throw Error("expected a field name (such as name, tags.<key> or metrics.<key>)", position);
        }

        if (Current is '`' or '"')
        {
            var quoted = ReadQuoted();
            return new FieldPath(null, quoted, text[start..position], start);
        }

        var word = ReadWhile(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        if (word.Length == 0)
        {
            throw Error($"expected a field name (such as name, tags.<key> or metrics.<key>); got '{Snippet()}'", start);
        }

        if (Reserved.Contains(word, StringComparer.OrdinalIgnoreCase))
        {
            throw Error($"expected a field name (such as name, tags.<key> or metrics.<key>); got the keyword {word.ToUpperInvariant()}", start);
        }

        if (!TryCharHere('.'))
        {
            return new FieldPath(null, word, word, start);
        }

        var group = NormalizeGroup(word)
            ?? throw Error($"unknown entity type '{word}'; expected attributes, tags, metrics or params", start);
        var keyPosition = position;
        string key;
        if (!AtEnd && Current is '`' or '"' or '\'')
        {
            key = ReadQuoted();
        }
        else
        {
            key = ReadWhile(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');
        }

        if (key.Length == 0)
        {
            throw Error($"expected a key after '{word}.' (quote it with backticks or double quotes if it has other characters)", keyPosition);
        }

        var written = text[start..position];
        return group == "attributes" ? new FieldPath(null, key, written, start) : new FieldPath(group, key, written, start);
    }

    private static string? NormalizeGroup(string entity) => entity.ToLowerInvariant() switch
    {
        "attribute" or "attributes" or "attr" => "attributes",
        "tag" or "tags" => "tags",
        "metric" or "metrics" => "metrics",
        "param" or "params" or "parameter" or "parameters" => "params",
        _ => null,
    };

    private Comparator? TryComparator()
    {
        if (TryOperator("!=")) return Comparator.NotEqual;
        if (TryOperator("<=")) return Comparator.LessThanOrEqual;
        if (TryOperator(">=")) return Comparator.GreaterThanOrEqual;
        if (TryOperator("=")) return Comparator.Equal;
        if (TryOperator("<")) return Comparator.LessThan;
        if (TryOperator(">")) return Comparator.GreaterThan;
        if (TryKeyword("LIKE")) return Comparator.Like;
        if (TryKeyword("ILIKE")) return Comparator.ILike;
        if (TryKeyword("IN")) return Comparator.In;

        var notPosition = position;
        if (TryKeyword("NOT"))
        {
            if (TryKeyword("IN"))
            {
                return Comparator.NotIn;
            }

            position = notPosition;
        }

        return null;
    }

    private FilterValue ParseScalar(FieldPath field, Comparator comparator)
    {
        var start = position;
        if (AtEnd)
        {
            throw Error($"expected a value (a quoted string or a number) after '{field.Text} {comparator.Symbol()}'", start);
        }

        if (Current is '\'' or '"')
        {
            return new StringValue(ReadQuoted(), start);
        }

        if (char.IsAsciiDigit(Current) || Current is '-' or '.')
        {
            return ReadNumber();
        }

        throw Error($"expected a value (a quoted string or a number) after '{field.Text} {comparator.Symbol()}'; got '{Snippet()}'", start);
    }

    private StringListValue ParseStringList(FieldPath field, Comparator comparator)
    {
        var start = position;
        if (!TryChar('('))
        {
            throw Error($"expected a parenthesised list of quoted strings after '{field.Text} {comparator.Symbol()}'", position);
        }

        var values = new List<string>();
        do
        {
            SkipWhitespace();
            if (AtEnd || Current is not ('\'' or '"'))
            {
                throw Error($"expected a quoted string in the list after '{field.Text} {comparator.Symbol()}'", position);
            }

            values.Add(ReadQuoted());
        }
        while (TryChar(','));

        if (!TryChar(')'))
        {
            throw Error($"expected ',' or ')' to close the list that starts at position {start}", position);
        }

        return new StringListValue(values, start);
    }

    /// <summary>
    /// A literal in single, double or back quotes. Like SQL (and sqlparse, which MLflow tokenises with), a doubled
    /// quote or a backslash before the quote stands for the quote itself; <c>\\</c> is one backslash; any other
    /// backslash is kept, so LIKE patterns such as <c>'a\_b'</c> reach the database unchanged.
    /// </summary>
    private string ReadQuoted()
    {
        var start = position;
        var quote = Current;
        position++;
        var value = new System.Text.StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error($"unterminated string: the {quote} opened here is never closed", start);
            }

            var c = Current;
            var next = position + 1 < text.Length ? text[position + 1] : '\0';
            if (c == '\\' && (next == quote || next == '\\'))
            {
                value.Append(next);
                position += 2;
            }
            else if (c == quote && next == quote)
            {
                value.Append(quote);
                position += 2;
            }
            else if (c == quote)
            {
                position++;
                return value.ToString();
            }
            else
            {
                value.Append(c);
                position++;
            }
        }
    }

    private NumberValue ReadNumber()
    {
        var start = position;
        TryCharHere('-');
        var integral = ReadWhile(char.IsAsciiDigit);
        var fraction = TryCharHere('.') ? ReadWhile(char.IsAsciiDigit) : "";
        if (integral.Length == 0 && fraction.Length == 0)
        {
            throw Error("malformed number: expected digits", start);
        }

        if (!AtEnd && Current is 'e' or 'E')
        {
            position++;
            if (!AtEnd && Current is '+' or '-')
            {
                position++;
            }

            if (ReadWhile(char.IsAsciiDigit).Length == 0)
            {
                throw Error("malformed number: expected the exponent's digits", start);
            }
        }

        if (!AtEnd && (char.IsAsciiLetter(Current) || Current is '_' or '.'))
        {
            throw Error($"malformed number '{text[start..position]}{Snippet()}'", start);
        }

        var written = text[start..position];
        var value = double.Parse(written, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (!double.IsFinite(value))
        {
            throw Error($"number '{written}' is out of range", start);
        }

        return new NumberValue(value, written, start);
    }

    private bool AtEnd => position >= text.Length;

    private char Current => text[position];

    private void SkipWhitespace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            position++;
        }
    }

    private string ReadWhile(Func<char, bool> accept)
    {
        var start = position;
        while (!AtEnd && accept(Current))
        {
            position++;
        }

        return text[start..position];
    }

    private bool TryCharHere(char expected)
    {
        if (AtEnd || Current != expected)
        {
            return false;
        }

        position++;
        return true;
    }

    private bool TryChar(char expected)
    {
        SkipWhitespace();
        return TryCharHere(expected);
    }

    private bool TryOperator(string symbol)
    {
        if (string.CompareOrdinal(text, position, symbol, 0, symbol.Length) != 0)
        {
            return false;
        }

        position += symbol.Length;
        return true;
    }

    private bool TryKeyword(string keyword)
    {
        SkipWhitespace();
        var end = position + keyword.Length;
        if (end > text.Length
            || string.Compare(text, position, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0
            || (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.')))
        {
            return false;
        }

        position = end;
        return true;
    }

    private string Snippet()
    {
        var rest = text[position..];
        var word = new string(rest.TakeWhile(c => !char.IsWhiteSpace(c)).Take(20).ToArray());
        return word.Length == 0 ? rest[..Math.Min(1, rest.Length)] : word;
    }

    private static FilterSyntaxException Error(string reason, int position) => new(reason, position);
}
