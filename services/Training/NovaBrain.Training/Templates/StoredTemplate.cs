namespace NovaBrain.Training.Templates;

/// <summary>
/// One version of a user's template as trainingdb keeps it: the built-in template it derives from and its full
/// hyperparameter schema as JSON, so that a job names a version that never changes under it.
/// </summary>
public sealed class StoredTemplate
{
    public const int NameMaxLength = 100;
    public const int DescriptionMaxLength = 2000;

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public int Version { get; set; }
    public required string BasedOn { get; set; }
    public required string Description { get; set; }

    /// <summary>The hyperparameter specs, as JSON.</summary>
    public required string Hyperparameters { get; set; }

    /// <summary>The subject who created the template's first version; only they add versions.</summary>
    public required string Owner { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
