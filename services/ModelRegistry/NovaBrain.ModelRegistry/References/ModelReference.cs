using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using NovaBrain.ModelRegistry.Lifecycle;

namespace NovaBrain.ModelRegistry.References;

/// <summary>
/// A reference to one model version, as MLflow writes them: <c>models:/&lt;name&gt;/&lt;version&gt;</c>,
/// <c>models:/&lt;name&gt;@&lt;alias&gt;</c> or <c>models:/&lt;name&gt;/&lt;Stage&gt;</c> (the newest version in the stage).
/// Exactly one of <see cref="Version"/>, <see cref="Alias"/> and <see cref="Stage"/> is set.
/// </summary>
public sealed partial record ModelReference(string Model, int? Version, string? Alias, string? Stage)
{
    public const string Scheme = "models:/";
    public const string ExpectedForms = "models:/<name>/<version>, models:/<name>@<alias> or models:/<name>/<stage> (None, Staging, Production, Archived)";

    public static ModelReference ToVersion(string model, int version) => new(model, version, null, null);

    public static bool TryParse([NotNullWhen(true)] string? value, [NotNullWhen(true)] out ModelReference? reference)
    {
        reference = null;
        if (value is null || !value.StartsWith(Scheme, StringComparison.Ordinal))
        {
            return false;
        }

        var path = value[Scheme.Length..];
        var at = path.IndexOf('@');
        if (at >= 0)
        {
            var (name, alias) = (path[..at], path[(at + 1)..]);
            if (IsModelName(name) && IsAliasName(alias))
            {
                reference = new ModelReference(name, null, alias, null);
            }
            return reference is not null;
        }

        var slash = path.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }
        var (model, selector) = (path[..slash], path[(slash + 1)..]);
        if (!IsModelName(model))
        {
            return false;
        }
        if (selector.Length > 0 && selector.All(char.IsAsciiDigit))
        {
            if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0)
            {
                reference = ToVersion(model, version);
            }
        }
        else if (ModelStages.Parse(selector) is { } stage)
        {
            reference = new ModelReference(model, null, null, stage);
        }
        return reference is not null;
    }

    public static bool IsModelName([NotNullWhen(true)] string? name) => name is not null && ModelName().IsMatch(name);

    public static bool IsAliasName([NotNullWhen(true)] string? alias) => alias is not null && AliasName().IsMatch(alias);

    public override string ToString() =>
        Alias is not null ? $"{Scheme}{Model}@{Alias}"
        : Stage is not null ? $"{Scheme}{Model}/{Stage}"
        : $"{Scheme}{Model}/{Version!.Value.ToString(CultureInfo.InvariantCulture)}";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelName();

    /// <summary>Starts with a letter, so an alias never reads as a version number.</summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasName();
}
