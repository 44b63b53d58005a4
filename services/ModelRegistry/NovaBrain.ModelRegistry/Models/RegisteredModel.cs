namespace NovaBrain.ModelRegistry.Models;

/// <summary>A named model; its versions (artifacts, signatures, stages) are filed under it.</summary>
public sealed class RegisteredModel
{
    public const int NameMaxLength = 256;
    public const int DescriptionMaxLength = 4000;

    public Guid Id { get; set; }

    public required string Name { get; set; }

    public string? Description { get; set; }

    /// <summary>The <c>sub</c> of the principal who created the model.</summary>
    public string Owner { get; set; } = "";

    /// <summary>Promotion to Production waits for a second person's approval (<c>models:approve</c>).</summary>
    public bool RequireApproval { get; set; }

    /// <summary>Several versions may hold Production at once; otherwise at most one does.</summary>
    public bool AllowMultipleProduction { get; set; }

    /// <summary>The highest version number given out; numbers are never reused, even after a deletion.</summary>
    public int LatestVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<RegisteredModelTag> Tags { get; set; } = [];
}

/// <summary>A label on a registered model; one row per key, so filters compile to <c>m.Tags.Any(t =&gt; t.Key == k &amp;&amp; t.Value == v)</c>.</summary>
public sealed class RegisteredModelTag
{
    public Guid ModelId { get; set; }

    public required string Key { get; set; }

    public required string Value { get; set; }
}
