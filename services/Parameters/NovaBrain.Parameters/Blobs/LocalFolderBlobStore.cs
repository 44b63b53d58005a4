using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace NovaBrain.Parameters.Blobs;

/// <summary>
/// Blobs as files: <c>{root}/sha256/{first two hex digits}/{64 hex digits}</c>, staged under <c>{root}/uploads/{id}</c>
/// until verified, then renamed into place. The rename is atomic (one file system), so a reader sees a blob whole or
/// not at all.
/// </summary>
public sealed class LocalFolderBlobStore : IBlobStore
{
    private const int BufferSize = 1024 * 1024;

    private readonly string blobsFolder;
    private readonly string uploadsFolder;
    private readonly ILogger<LocalFolderBlobStore> logger;

    public LocalFolderBlobStore(IOptions<BlobStorageOptions> options, IHostEnvironment environment, ILogger<LocalFolderBlobStore> logger)
    {
        var root = Path.GetFullPath(options.Value.Root is { Length: > 0 } configured
            ? configured
            : Path.Combine(environment.ContentRootPath, "data", "blobs"));
        blobsFolder = Directory.CreateDirectory(Path.Combine(root, BlobDigest.Algorithm)).FullName;
        uploadsFolder = Directory.CreateDirectory(Path.Combine(root, "uploads")).FullName;
        this.logger = logger;
        logger.LogInformation("Blob store: {Root}", root);
    }

    public bool Exists(BlobDigest digest) => File.Exists(PathOf(digest));

    public long? SizeOf(BlobDigest digest) => new FileInfo(PathOf(digest)) is { Exists: true } file ? file.Length : null;

    public Stream? OpenRead(BlobDigest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<BlobWriteResult> WriteAsync(Stream content, BlobDigest? expected, long maxBytes, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(uploadsFolder, $"put-{Guid.NewGuid():N}");
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size;
            await using (var file = OpenForWriting(staging, FileMode.CreateNew))
            {
                size = await CopyAsync(content, file, hash, maxBytes, cancellationToken);
                if (size < 0)
                {
                    return new BlobWriteResult(BlobWriteStatus.TooLarge, default, -size);
                }

                file.Flush(flushToDisk: true);
            }

            var digest = BlobDigest.FromHash(hash.GetHashAndReset());
            return expected is { } wanted && wanted != digest
                ? new BlobWriteResult(BlobWriteStatus.DigestMismatch, digest, size)
                : Publish(staging, digest, size);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    public Task CreateUploadAsync(Guid uploadId, CancellationToken cancellationToken)
    {
        using (OpenForWriting(UploadPath(uploadId), FileMode.CreateNew))
        {
        }

        return Task.CompletedTask;
    }

    public long? UploadLength(Guid uploadId) => new FileInfo(UploadPath(uploadId)) is { Exists: true } file ? file.Length : null;

    public async Task<UploadAppendResult> AppendAsync(Guid uploadId, long offset, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        FileStream file;
        try
        {
            // Unshared, so a second chunk sent at the same time is refused instead of interleaved.
            file = OpenForWriting(UploadPath(uploadId), FileMode.Open);
        }
        catch (FileNotFoundException)
        {
            return new UploadAppendResult(UploadAppendStatus.NotFound, 0);
        }
        catch (IOException)
        {
            return new UploadAppendResult(UploadAppendStatus.OffsetMismatch, UploadLength(uploadId) ?? 0);
        }

        await using (file)
        {
            var length = file.Length;
            if (length != offset)
            {
                return new UploadAppendResult(UploadAppendStatus.OffsetMismatch, length);
            }

            file.Seek(length, SeekOrigin.Begin);
            var completed = false;
            try
            {
                var copied = await CopyAsync(content, file, hash: null, maxBytes - length, cancellationToken);
                if (copied < 0)
                {
                    return new UploadAppendResult(UploadAppendStatus.TooLarge, length);
                }

                file.Flush(flushToDisk: true);
                completed = true;
                return new UploadAppendResult(UploadAppendStatus.Appended, length + copied);
            }
            finally
            {
                if (!completed)
                {
                    // A chunk counts whole or not at all: the client resumes from the offset it last had confirmed.
                    file.SetLength(length);
                }
            }
        }
    }

    public async Task<BlobWriteResult> CommitUploadAsync(Guid uploadId, BlobDigest expected, CancellationToken cancellationToken)
    {
        var staging = UploadPath(uploadId);
        FileStream file;
        try
        {
            // Unshared, like an append: while a chunk is being written the upload cannot be committed, and the other way round.
            file = new FileStream(staging, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (IOException exception) when (exception is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return new BlobWriteResult(BlobWriteStatus.UploadBusy, default, UploadLength(uploadId) ?? 0);
        }

        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size;
            await using (file)
            {
                size = await CopyAsync(file, Stream.Null, hash, long.MaxValue, cancellationToken);
            }

            var digest = BlobDigest.FromHash(hash.GetHashAndReset());
            return digest != expected
                ? new BlobWriteResult(BlobWriteStatus.DigestMismatch, digest, size)
                : Publish(staging, digest, size);
        }
        finally
        {
            File.Delete(staging);
        }
    }

    public void DeleteUpload(Guid uploadId) => File.Delete(UploadPath(uploadId));

    public bool TryDeleteIdleUpload(Guid uploadId)
    {
        var path = UploadPath(uploadId);
        try
        {
            // Held unshared while deleting, so no append can start in between.
            using (OpenForWriting(path, FileMode.Open))
            {
                File.Delete(path);
            }
            return true;
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public int DeleteStaleStaging(IReadOnlySet<Guid> uploads, DateTimeOffset writtenBefore)
    {
        var deleted = 0;
        foreach (var file in new DirectoryInfo(uploadsFolder).EnumerateFiles())
        {
            var isUpload = Guid.TryParseExact(file.Name, "N", out var uploadId);
            if ((isUpload && uploads.Contains(uploadId)) || file.LastWriteTimeUtc >= writtenBefore.UtcDateTime)
            {
                continue;
            }

            file.Delete();
            deleted++;
        }
        return deleted;
    }

    /// <summary>Moves a verified staging file to its digest's place, unless the store holds that blob already.</summary>
    private BlobWriteResult Publish(string staging, BlobDigest digest, long size)
    {
        var target = PathOf(digest);
        if (File.Exists(target))
        {
            return new BlobWriteResult(BlobWriteStatus.Existing, digest, size);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(staging, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another writer stored the same bytes first.
            return new BlobWriteResult(BlobWriteStatus.Existing, digest, size);
        }

        logger.LogInformation("Stored blob {Digest} ({Size} bytes)", digest, size);
        return new BlobWriteResult(BlobWriteStatus.Created, digest, size);
    }

    /// <summary>
    /// Copies in fixed-size chunks, hashing as it goes; returns the bytes copied, or minus the bytes read once they
    /// exceed <paramref name="maxBytes"/> (the copy stops there).
    /// </summary>
    private static async Task<long> CopyAsync(Stream source, Stream destination, IncrementalHash? hash, long maxBytes, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAtLeastAsync(buffer.AsMemory(0, BufferSize), BufferSize, throwOnEndOfStream: false, cancellationToken)) > 0)
            {
                total += read;
                if (total > maxBytes)
                {
                    return -total;
                }

                hash?.AppendData(buffer, 0, read);
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static FileStream OpenForWriting(string path, FileMode mode) => new(path, new FileStreamOptions
    {
        Mode = mode,
        Access = FileAccess.Write,
        Share = FileShare.None,
        Options = FileOptions.Asynchronous,
        BufferSize = 0,
    });

    private string PathOf(BlobDigest digest) => Path.Combine(blobsFolder, digest.Hex[..2], digest.Hex);

    private string UploadPath(Guid uploadId) => Path.Combine(uploadsFolder, uploadId.ToString("N"));
}
