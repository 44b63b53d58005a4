namespace NovaBrain.ModelRegistry.Models;

/// <summary>A named model; its versions (artifacts, signatures, stages) are filed under it.</summary>
public sealed class RegisteredModel
{
    public const int NameMaxLength = 256;

    public Guid Id { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
