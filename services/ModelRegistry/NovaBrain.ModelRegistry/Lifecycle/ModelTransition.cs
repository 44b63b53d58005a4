namespace NovaBrain.ModelRegistry.Lifecycle;

/// <summary>
/// One recorded move of a stage or an alias: history is only ever appended to, and a rollback is a new transition.
/// A stage transition moves <see cref="Version"/> from <see cref="FromStage"/> to <see cref="ToStage"/>; an alias
/// transition moves <see cref="Alias"/> from <see cref="FromVersion"/> to <see cref="ToVersion"/> (null: created, removed).
/// </summary>
public sealed class ModelTransition
{
    public const int ReasonMaxLength = 2000;

    public long Id { get; set; }

    public Guid ModelId { get; set; }

    /// <summary><see cref="TransitionKinds"/>.</summary>
    public required string Kind { get; set; }

    /// <summary><see cref="TransitionActions"/>: how it came about.</summary>
    public required string Action { get; set; }

    public int? Version { get; set; }

    public string? FromStage { get; set; }

    public string? ToStage { get; set; }

    public string? Alias { get; set; }

    public int? FromVersion { get; set; }

    public int? ToVersion { get; set; }

    public string? Reason { get; set; }

    public required string ChangedBy { get; set; }

    /// <summary>Who approved a transition that needed approval.</summary>
    public string? ApprovedBy { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}

public static class TransitionKinds
{
    public const string Stage = "stage";
    public const string Alias = "alias";
}

public static class TransitionActions
{
    public const string Changed = "changed";
    public const string Approved = "approved";
    public const string RolledBack = "rolled-back";

    /// <summary>A Production version archived to make room for another.</summary>
    public const string Replaced = "replaced";
}
