namespace NovaBrain.Parameters.Blobs;

/// <summary>
/// Content-addressed storage of blobs, named by their SHA-256. A blob becomes visible only once its bytes are
/// complete and their digest verified; nothing half-written is ever readable. Resumable uploads are staged apart
/// and enter the store the same way. Implementations stream: no method holds a whole blob in memory.
/// </summary>
public interface IBlobStore
{
    /// <summary>Whether a blob with this digest is stored.</summary>
    bool Exists(BlobDigest digest);

    /// <summary>The stored blob's size in bytes; null when absent.</summary>
    long? SizeOf(BlobDigest digest);

    /// <summary>A seekable stream over the stored blob (so ranges can be served); null when absent.</summary>
    Stream? OpenRead(BlobDigest digest);

    /// <summary>
    /// Writes <paramref name="content"/> to the store, hashing while copying. When <paramref name="expected"/> is
    /// given, the bytes must hash to it; otherwise they are stored under whatever they hash to.
    /// </summary>
    Task<BlobWriteResult> WriteAsync(Stream content, BlobDigest? expected, long maxBytes, CancellationToken cancellationToken);

    /// <summary>Starts an empty staged upload.</summary>
    Task CreateUploadAsync(Guid uploadId, CancellationToken cancellationToken);

    /// <summary>How many bytes a staged upload holds; null when there is no such upload.</summary>
    long? UploadLength(Guid uploadId);

    /// <summary>
    /// Appends <paramref name="content"/> to a staged upload whose length is <paramref name="offset"/>. A chunk that
    /// fails (too large, the client gone) is cut off again, so the upload keeps its previous length.
    /// </summary>
    Task<UploadAppendResult> AppendAsync(Guid uploadId, long offset, Stream content, long maxBytes, CancellationToken cancellationToken);

    /// <summary>
    /// Hashes a staged upload's bytes and, when they match <paramref name="expected"/>, moves them into the store.
    /// The upload is gone afterwards either way, unless a chunk is still being appended to it
    /// (<see cref="BlobWriteStatus.UploadBusy"/>): then nothing happens.
    /// </summary>
    Task<BlobWriteResult> CommitUploadAsync(Guid uploadId, BlobDigest expected, CancellationToken cancellationToken);

    /// <summary>Discards a staged upload; nothing happens when there is none.</summary>
    void DeleteUpload(Guid uploadId);

    /// <summary>Discards a staged upload unless a chunk is being appended to it (then false: it is not idle).</summary>
    bool TryDeleteIdleUpload(Guid uploadId);

    /// <summary>
    /// Deletes staged bytes last written before <paramref name="writtenBefore"/> that belong to no upload in
    /// <paramref name="uploads"/>: what a crash left behind (an upload whose record was never saved, a write cut short).
    /// Returns how many files were deleted.
    /// </summary>
    int DeleteStaleStaging(IReadOnlySet<Guid> uploads, DateTimeOffset writtenBefore);
}

public enum BlobWriteStatus
{
    /// <summary>The blob was new and is now stored.</summary>
    Created,

    /// <summary>The store held these bytes already; nothing was written.</summary>
    Existing,

    /// <summary>The bytes do not hash to the expected digest; nothing was stored.</summary>
    DigestMismatch,

    /// <summary>The bytes grew beyond the size limit; nothing was stored.</summary>
    TooLarge,

    /// <summary>A chunk is being appended to the upload being committed; nothing was stored and the upload stays.</summary>
    UploadBusy,
}

/// <param name="Digest">What the bytes hash to (for <see cref="BlobWriteStatus.TooLarge"/>, default).</param>
/// <param name="Size">How many bytes were read.</param>
public sealed record BlobWriteResult(BlobWriteStatus Status, BlobDigest Digest, long Size);

public enum UploadAppendStatus
{
    Appended,
    NotFound,

    /// <summary>The upload's length is not the offset the client sent, or another chunk is being appended.</summary>
    OffsetMismatch,
    TooLarge,
}

/// <param name="Offset">The upload's length after the call: the new one, or the unchanged one on failure.</param>
public sealed record UploadAppendResult(UploadAppendStatus Status, long Offset);
