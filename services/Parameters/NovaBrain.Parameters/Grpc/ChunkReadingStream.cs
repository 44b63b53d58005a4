using Grpc.Core;

namespace NovaBrain.Parameters.Grpc;

/// <summary>
/// The chunks of a client stream read as one stream of bytes, for the blob store to hash and store as it reads; a
/// stream that ends short of the announced size, or sends a second header, fails the read (and so the write).
/// </summary>
internal sealed class ChunkReadingStream(IAsyncStreamReader<UploadBlobRequest> chunks, long size) : Stream
{
    private ReadOnlyMemory<byte> pending;
    private long read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (pending.IsEmpty)
        {
            if (!await chunks.MoveNext(cancellationToken))
            {
                return read == size ? 0 : throw ParameterStoreService.SizeMismatch(size);
            }
            if (chunks.Current.ContentCase != UploadBlobRequest.ContentOneofCase.Chunk)
            {
                throw ParameterStoreService.Refuse(StatusCode.InvalidArgument, "header-repeated", "Only the first message carries a header; the others carry chunks.");
            }
            pending = chunks.Current.Chunk.Memory;
        }

        var count = Math.Min(buffer.Length, pending.Length);
        pending[..count].CopyTo(buffer);
        pending = pending[count..];
        read += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
