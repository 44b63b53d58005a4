namespace NovaBrain.ModelRegistry.Lifecycle;

/// <summary>A movable name (e.g. <c>champion</c>) for one version of a model; unique per model.</summary>
public sealed class ModelAlias
{
    public const int NameMaxLength = 64;

    public Guid ModelId { get; set; }

    public required string Name { get; set; }

    public Guid VersionId { get; set; }

    public int Version { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
