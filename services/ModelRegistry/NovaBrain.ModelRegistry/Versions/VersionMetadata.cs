using NovaBrain.ModelRegistry.Infrastructure;
using NovaBrain.ModelRegistry.Lineage;
using NovaBrain.ModelRegistry.Validation;

namespace NovaBrain.ModelRegistry.Versions;

/// <summary>
/// The JSON in a registration's <c>metadata</c> part. <see cref="Signature"/> is taken only for formats the registry
/// does not validate; an ONNX model's signature is read from the model itself.
/// </summary>
public sealed record VersionMetadata(
    string? Format,
    string? Description = null,
    Dictionary<string, string>? Tags = null,
    Dictionary<string, double>? Metrics = null,
    Dictionary<string, string>? Params = null,
    LineageMetadata? Lineage = null,
    ModelSignature? Signature = null)
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxEntries = 256;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (!ModelFormats.IsKnown(Format))
        {
            errors["format"] = [$"The format is one of {string.Join(", ", ModelFormats.All)}."];
        }
        if (Description is { Length: > ModelVersion.DescriptionMaxLength })
        {
            errors["description"] = [$"A description is at most {ModelVersion.DescriptionMaxLength} characters."];
        }
        foreach (var (field, keys, valueTooLong) in new (string, IReadOnlyCollection<string>?, bool)[]
        {
            ("tags", Tags?.Keys, Tags?.Values.Any(value => value is null || value.Length > RegistryContext.TagValueMaxLength) ?? false),
            ("params", Params?.Keys, Params?.Values.Any(value => value is null || value.Length > RegistryContext.TagValueMaxLength) ?? false),
            ("metrics", Metrics?.Keys, Metrics?.Values.Any(value => !double.IsFinite(value)) ?? false),
        })
        {
            if (keys is null)
            {
                continue;
            }
            if (keys.Count > MaxEntries || keys.Any(key => key.Length is 0 or > RegistryContext.TagKeyMaxLength) || valueTooLong)
            {
                errors[field] = [$"At most {MaxEntries} entries, keys of 1 to {RegistryContext.TagKeyMaxLength} characters, values strings of at most {RegistryContext.TagValueMaxLength} (metrics: finite numbers)."];
            }
        }
        if (Lineage?.ToRows().Error is { } lineageError)
        {
            errors["lineage"] = [lineageError];
        }
        if (Signature is not null)
        {
            if (Format == ModelFormats.Onnx)
            {
                errors["signature"] = ["An ONNX model's signature is read from the model; leave it out."];
            }
            else if (Signature.Inputs is null || Signature.Outputs is null ||
                     Signature.Inputs.Concat(Signature.Outputs).Any(spec =>
                         spec is null || string.IsNullOrWhiteSpace(spec.Name) || !InferenceDatatypes.IsKnown(spec.Datatype) ||
                         spec.Shape is null || spec.Shape.Any(dimension => dimension < -1)))
            {
                errors["signature"] = [$"A signature has inputs and outputs, each with a name, a datatype ({string.Join(", ", InferenceDatatypes.All)}) and a shape (-1 for a variable dimension)."];
            }
        }
        return errors;
    }
}
