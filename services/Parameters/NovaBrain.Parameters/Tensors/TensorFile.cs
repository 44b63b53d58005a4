using System.Runtime.CompilerServices;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Sets;

namespace NovaBrain.Parameters.Tensors;

/// <summary>One tensor of a file: its name, element type (<see cref="TensorDtypes"/>), shape and size in bytes.</summary>
public sealed record TensorEntry(string Name, string Dtype, long[] Shape, long ByteSize)
{
    public long ElementCount => TensorDtypes.ElementCount(Shape);
}

/// <summary>How a version's blob was read: as safetensors, as an ONNX model, or as bytes without tensors.</summary>
public static class TensorLayouts
{
    public const string Safetensors = "safetensors";
    public const string Onnx = "onnx";

    /// <summary>A format whose tensors the service does not read (torchscript, torchsharp, other).</summary>
    public const string Opaque = "opaque";

    /// <summary>The layout a version of <paramref name="format"/> is read with.</summary>
    public static string Of(string format) => format switch
    {
        ParameterFormats.Safetensors => Safetensors,
        ParameterFormats.Onnx => Onnx,
        _ => Opaque,
    };
}

/// <summary>A stored blob read as tensors; the tensors' bytes are read on demand, in chunks.</summary>
public abstract class TensorFile : IDisposable
{
    /// <summary>The size of the chunks <see cref="ReadAsync"/> yields (the last may be shorter).</summary>
    public const int ChunkBytes = 1024 * 1024;

    public abstract string Layout { get; }

    /// <summary>The tensors in the order the file stores them.</summary>
    public abstract IReadOnlyList<TensorEntry> Tensors { get; }

    /// <summary>The file's free-form string metadata (safetensors' <c>__metadata__</c>, ONNX's <c>metadata_props</c>).</summary>
    public abstract IReadOnlyDictionary<string, string> Metadata { get; }

    public TensorEntry? Find(string name) => Tensors.FirstOrDefault(tensor => tensor.Name == name);

    /// <summary>
    /// A tensor's little-endian bytes in chunks of whole elements; a chunk's memory is reused for the next one, so it
    /// must be consumed before moving on.
    /// </summary>
    public abstract IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(TensorEntry tensor, CancellationToken cancellationToken);

    public abstract void Dispose();

    /// <summary>
    /// Reads the tensors of a stored blob in <paramref name="layout"/> (<see cref="TensorLayouts"/>); null for an
    /// opaque one (or a blob gone from the store).
    /// </summary>
    /// <exception cref="InvalidTensorFileException">The blob is not a valid file of its layout.</exception>
    public static async Task<TensorFile?> OpenAsync(IBlobStore store, BlobDigest digest, string layout, CancellationToken cancellationToken)
    {
        if (layout == TensorLayouts.Opaque || store.OpenRead(digest) is not { } content)
        {
            return null;
        }

        try
        {
            return layout == TensorLayouts.Safetensors
                ? await SafetensorsFile.OpenAsync(content, cancellationToken)
                : OnnxTensorFile.Read(content);
        }
        catch
        {
            await content.DisposeAsync();
            throw;
        }
    }
}

/// <summary>A blob that is not a valid file of the format it was given with; the message says why.</summary>
public sealed class InvalidTensorFileException(string format, string message) : Exception(message)
{
    public string Format { get; } = format;
}

internal static class AsyncChunks
{
    /// <summary>One in-memory buffer as chunks of at most <see cref="TensorFile.ChunkBytes"/>.</summary>
    public static async IAsyncEnumerable<ReadOnlyMemory<byte>> Of(ReadOnlyMemory<byte> bytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var start = 0; start < bytes.Length; start += TensorFile.ChunkBytes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return bytes.Slice(start, Math.Min(TensorFile.ChunkBytes, bytes.Length - start));
        }
        await Task.CompletedTask;
    }
}
