namespace NovaBrain.ModelRegistry.Lineage;

/// <summary>
/// One thing a version was produced from: a dataset version, a parameter-set version (<c>params:/&lt;set&gt;/&lt;version&gt;</c>),
/// a parent model version (<c>models:/&lt;name&gt;/&lt;version&gt;</c>, also linked by <see cref="ParentVersionId"/>, so a
/// referenced parent cannot be deleted), the training job or the template.
/// </summary>
public sealed class LineageReference
{
    public const int ReferenceMaxLength = 512;

    public long Id { get; set; }

    public Guid VersionId { get; set; }

    /// <summary><see cref="LineageKinds"/>.</summary>
    public required string Kind { get; set; }

    public required string Reference { get; set; }

    public Guid? ParentVersionId { get; set; }
}

public static class LineageKinds
{
    public const string Dataset = "dataset";
    public const string ParameterSet = "parameter-set";
    public const string Model = "model";
    public const string TrainingJob = "training-job";
    public const string Template = "template";
}
