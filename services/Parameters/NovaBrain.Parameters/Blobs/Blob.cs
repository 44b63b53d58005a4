namespace NovaBrain.Parameters.Blobs;

/// <summary>A stored blob's record: its digest (the key, <c>sha256:&lt;hex&gt;</c>), size, and who stored it first.</summary>
public sealed class Blob
{
    public required string Digest { get; init; }

    public long Size { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }
}

/// <summary>A resumable upload in progress; its bytes are staged by the blob store until it is committed.</summary>
public sealed class Upload
{
    public Guid Id { get; init; }

    /// <summary>How many bytes the upload holds: where the next chunk starts.</summary>
    public long Offset { get; set; }

    /// <summary>The digest announced when the upload was started, if any; the commit must match it.</summary>
    public string? ExpectedDigest { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the upload last changed (started or a chunk appended): how long it has lain abandoned.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    public required string CreatedBy { get; init; }
}
