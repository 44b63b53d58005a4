using Grpc.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using NovaBrain.Grpc;

namespace NovaBrain.ModelRegistry.Grpc;

/// <summary>
/// The chunks of a RegisterVersion call after its header, read as one stream, so the artifact takes the REST upload's
/// path to disk (hashed on the way, bounded memory). A second header mid-stream is refused.
/// </summary>
internal sealed class ArtifactChunkStream(IAsyncStreamReader<RegisterVersionRequest> requests) : Stream
{
    private ReadOnlyMemory<byte> pending;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (pending.IsEmpty)
        {
            if (!await requests.MoveNext(cancellationToken))
            {
                return 0;
            }
            if (requests.Current.PartCase != RegisterVersionRequest.PartOneofCase.Chunk)
            {
                throw RestRpc.Refusal(HeaderOnlyFirst());
            }
            pending = requests.Current.Chunk.Memory;
        }

        var count = Math.Min(buffer.Length, pending.Length);
        pending[..count].CopyTo(buffer);
        pending = pending[count..];
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The chunks of a gRPC call are read asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>A RegisterVersion stream is one header, then chunks.</summary>
    public static ProblemHttpResult HeaderOnlyFirst() => NovaBrainProblems.Result(
        "invalid-registration-stream", "A registration is one header, then chunks",
        "The first RegisterVersion message is the header (model and metadata) and every later one a chunk of the artifact.",
        StatusCodes.Status400BadRequest);
}
