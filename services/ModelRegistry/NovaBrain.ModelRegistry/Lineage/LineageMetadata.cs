using System.Globalization;
using System.Text.RegularExpressions;
using NovaBrain.ModelRegistry.References;

namespace NovaBrain.ModelRegistry.Lineage;

/// <summary>
/// What a version was produced from, as registration metadata gives it and the version answers it: dataset versions,
/// parameter-set versions (<c>params:/&lt;set&gt;/&lt;version&gt;</c>), parent model versions
/// (<c>models:/&lt;name&gt;/&lt;version&gt;</c>), the training job and the template.
/// </summary>
public sealed partial record LineageMetadata(
    IReadOnlyList<string>? Datasets = null,
    IReadOnlyList<string>? ParameterSets = null,
    IReadOnlyList<string>? Parents = null,
    string? TrainingJob = null,
    string? Template = null)
{
    public const int MaxReferences = 100;

    public static LineageMetadata From(IEnumerable<LineageReference> rows)
    {
        var byKind = rows.OrderBy(row => row.Id).ToLookup(row => row.Kind, row => row.Reference);
        return new LineageMetadata(
            byKind[LineageKinds.Dataset].ToArray(),
            byKind[LineageKinds.ParameterSet].ToArray(),
            byKind[LineageKinds.Model].ToArray(),
            byKind[LineageKinds.TrainingJob].FirstOrDefault(),
            byKind[LineageKinds.Template].FirstOrDefault());
    }

    /// <summary>The references as rows, parents as version references; the first error when one is malformed.</summary>
    public (List<(string Kind, string Reference, ModelReference? Parent)> Rows, string? Error) ToRows()
    {
        var rows = new List<(string, string, ModelReference?)>();
        foreach (var dataset in Datasets ?? [])
        {
            if (string.IsNullOrWhiteSpace(dataset) || dataset.Length > LineageReference.ReferenceMaxLength)
            {
                return ([], $"A dataset reference is 1 to {LineageReference.ReferenceMaxLength} characters.");
            }
            rows.Add((LineageKinds.Dataset, dataset, null));
        }
        foreach (var set in ParameterSets ?? [])
        {
            if (set is null || !ParameterSetReference().IsMatch(set))
            {
                return ([], $"'{set}' is not a parameter-set version; write params:/<set>/<version>.");
            }
            rows.Add((LineageKinds.ParameterSet, set, null));
        }
        foreach (var parent in Parents ?? [])
        {
            if (!ModelReference.TryParse(parent, out var reference) || reference.Version is not { } version)
            {
                return ([], $"'{parent}' is not a parent model version; write models:/<name>/<version>.");
            }
            rows.Add((LineageKinds.Model, $"{ModelReference.Scheme}{reference.Model}/{version.ToString(CultureInfo.InvariantCulture)}", reference));
        }
        foreach (var (kind, value) in new[] { (LineageKinds.TrainingJob, TrainingJob), (LineageKinds.Template, Template) })
        {
            if (value is null)
            {
                continue;
            }
            if (string.IsNullOrWhiteSpace(value) || value.Length > LineageReference.ReferenceMaxLength)
            {
                return ([], $"A {kind} is 1 to {LineageReference.ReferenceMaxLength} characters.");
            }
            rows.Add((kind, value, null));
        }
        if (rows.Count > MaxReferences)
        {
            return ([], $"A version names at most {MaxReferences} lineage references.");
        }
        return (rows, null);
    }

    [GeneratedRegex("^params:/[a-z0-9][a-z0-9._-]{0,127}/[1-9][0-9]{0,9}$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterSetReference();
}
