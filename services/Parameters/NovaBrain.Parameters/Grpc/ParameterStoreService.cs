using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NovaBrain.Grpc;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Infrastructure;
using NovaBrain.Parameters.Tensors;
using NovaBrain.Security;

namespace NovaBrain.Parameters.Grpc;

/// <summary>
/// <c>novabrain.parameters.v1.ParameterStore</c>: the blob store and the tensors of parameter-set versions over gRPC,
/// with the same checks and refusals as REST; a refusal's reason travels in the <c>reason</c> trailer.
/// </summary>
public sealed class ParameterStoreService(IBlobStore store, ParametersContext context, IOptions<BlobStorageOptions> options)
    : ParameterStore.ParameterStoreBase
{
    public const int ChunkBytes = 1024 * 1024;
    public const string ReasonTrailer = "reason";


    [RequirePermission(Permissions.ParamsWrite)]
    public override async Task<BlobInfo> UploadBlob(IAsyncStreamReader<UploadBlobRequest> requestStream, ServerCallContext call)
    {
        var cancellationToken = call.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.ContentCase != UploadBlobRequest.ContentOneofCase.Header)
        {
            throw Refuse(StatusCode.InvalidArgument, "header-required", "The first message carries the header: the size and, optionally, the expected digest.");
        }

        var header = requestStream.Current.Header;
        BlobDigest? expected = null;
        if (header.ExpectedDigest.Length > 0)
        {
            expected = BlobDigest.TryParse(header.ExpectedDigest, out var parsed)
                ? parsed
                : throw Refuse(StatusCode.InvalidArgument, "invalid-digest", $"'{header.ExpectedDigest}' is not a digest; a digest is written {BlobDigest.Format}.");
        }
        if (header.Size < 0)
        {
            throw Refuse(StatusCode.InvalidArgument, "invalid-size", "The header's size is the number of bytes that follow, 0 or more.");
        }
        if (header.Size > options.Value.MaxBlobBytes)
        {
            throw Refuse(StatusCode.ResourceExhausted, "blob-too-large", $"A blob is at most {options.Value.MaxBlobBytes} bytes (Parameters:Storage:MaxBlobBytes); nothing was stored.");
        }

        BlobWriteResult written;
        await using (var content = new ChunkReadingStream(requestStream, header.Size))
        {
            written = await store.WriteAsync(content, expected, header.Size, cancellationToken);
        }
        switch (written.Status)
        {
            case BlobWriteStatus.TooLarge:
                throw SizeMismatch(header.Size);
            case BlobWriteStatus.DigestMismatch:
                throw Refuse(StatusCode.InvalidArgument, "digest-mismatch", $"The bytes hash to {written.Digest}, not {expected}; nothing was stored.");
        }

        var blob = await context.RecordAsync(written, call.GetHttpContext().User, cancellationToken);
        return new BlobInfo { Digest = blob.Digest, Size = blob.Size, Created = written.Status == BlobWriteStatus.Created };
    }

    [RequirePermission(Permissions.ParamsRead)]
    public override async Task DownloadBlob(DownloadBlobRequest request, IServerStreamWriter<BlobChunk> responseStream, ServerCallContext call)
    {
        if (!BlobDigest.TryParse(request.Digest, out var digest))
        {
            throw Refuse(StatusCode.InvalidArgument, "invalid-digest", $"'{request.Digest}' is not a digest; a digest is written {BlobDigest.Format}.");
        }

        await using var content = store.OpenRead(digest) ?? throw Refuse(StatusCode.NotFound, "blob-not-found", $"No blob {digest} is stored.");
        if (request.Offset < 0 || request.Offset > content.Length || request.Length < 0)
        {
            throw Refuse(StatusCode.OutOfRange, "range-not-satisfiable", $"Blob {digest} has {content.Length} bytes; the offset is within them and the length not negative.");
        }

        content.Seek(request.Offset, SeekOrigin.Begin);
        var remaining = request.HasLength ? Math.Min(request.Length, content.Length - request.Offset) : content.Length - request.Offset;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            while (remaining > 0)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(ChunkBytes, remaining));
                await content.ReadExactlyAsync(chunk, call.CancellationToken);
                await responseStream.WriteAsync(new BlobChunk { Data = ByteString.CopyFrom(chunk.Span) }, call.CancellationToken);
                remaining -= chunk.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [RequirePermission(Permissions.ParamsRead)]
    public override async Task<TensorList> ListTensors(TensorsRequest request, ServerCallContext call)
    {
        var version = await FindVersionAsync(request.Set, request.Version, call.CancellationToken);
        var tensors = await context.ParameterTensors.AsNoTracking()
            .Where(tensor => tensor.SetName == request.Set && tensor.Version == request.Version)
            .OrderBy(tensor => tensor.Position)
            .ToListAsync(call.CancellationToken);

        var list = new TensorList { Format = version.Format, Layout = version.TensorLayout };
        list.Metadata.Add(version.FileMetadata);
        list.Tensors.AddRange(tensors.Select(tensor => Describe(new TensorEntry(tensor.Name, tensor.Dtype, tensor.Shape, tensor.ByteSize))));
        return list;
    }

    [RequirePermission(Permissions.ParamsRead)]
    public override async Task DownloadTensor(DownloadTensorRequest request, IServerStreamWriter<TensorChunk> responseStream, ServerCallContext call)
    {
        var cancellationToken = call.CancellationToken;
        var version = await FindVersionAsync(request.Set, request.Version, cancellationToken);
        using var file = await TensorFile.OpenAsync(store, BlobDigest.Parse(version.Blob), version.TensorLayout, cancellationToken);
        var tensor = file?.Find(request.Tensor)
            ?? throw Refuse(StatusCode.NotFound, "tensor-not-found", $"Version {request.Version} of '{request.Set}' has no tensor '{request.Tensor}'.");

        var message = new TensorChunk { Info = Describe(tensor) };
        await foreach (var chunk in file.ReadAsync(tensor, cancellationToken))
        {
            message.Data = ByteString.CopyFrom(chunk.Span);
            await responseStream.WriteAsync(message, cancellationToken);
            message = new TensorChunk();
        }
        if (message.Info is not null)
        {
            // An empty tensor: its description alone.
            await responseStream.WriteAsync(message, cancellationToken);
        }
    }

    private async Task<Sets.ParameterSetVersion> FindVersionAsync(string set, int version, CancellationToken cancellationToken) =>
        await context.ParameterSetVersions.AsNoTracking().SingleOrDefaultAsync(v => v.Name == set && v.Version == version, cancellationToken)
        ?? throw Refuse(StatusCode.NotFound, "version-not-found", $"Parameter set '{set}' has no version {version}.");

    private static TensorInfo Describe(TensorEntry tensor)
    {
        var info = new TensorInfo { Name = tensor.Name, Dtype = tensor.Dtype, ByteSize = tensor.ByteSize };
        info.Shape.AddRange(tensor.Shape);
        return info;
    }

    internal static RpcException SizeMismatch(long size) =>
        Refuse(StatusCode.InvalidArgument, "size-mismatch", $"The chunks do not add up to the {size} bytes the header announced; nothing was stored.");

    internal static RpcException Refuse(StatusCode code, string reason, string detail) =>
        new(new Status(code, detail), new Metadata { { ReasonTrailer, reason } });
}
