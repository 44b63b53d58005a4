namespace NovaBrain.ModelRegistry.Lifecycle;

/// <summary>
/// A promotion to Production waiting for a second person: created when the model requires approval, performed when
/// someone other than the requester with <c>models:approve</c> approves it.
/// </summary>
public sealed class ApprovalRequest
{
    public Guid Id { get; set; }

    public Guid ModelId { get; set; }

    public Guid VersionId { get; set; }

    public int Version { get; set; }

    public required string ToStage { get; set; }

    /// <summary>Archive the versions holding Production when performed.</summary>
    public bool ArchiveExisting { get; set; }

    public string? Reason { get; set; }

    /// <summary><see cref="ApprovalStatuses"/>.</summary>
    public string Status { get; set; } = ApprovalStatuses.Pending;

    public required string RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? Comment { get; set; }
}

public static class ApprovalStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
}
