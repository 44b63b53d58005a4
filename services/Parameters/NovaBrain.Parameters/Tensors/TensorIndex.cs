using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Sets;

namespace NovaBrain.Parameters.Tensors;

/// <summary>What a version records of its blob's tensors: the layout read, the tensors and the file's metadata.</summary>
public sealed record TensorIndex(string Layout, IReadOnlyList<TensorEntry> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    public static readonly TensorIndex Opaque = new(TensorLayouts.Opaque, [], new Dictionary<string, string>());

    /// <exception cref="InvalidTensorFileException">The blob is not a valid file of <paramref name="format"/>.</exception>
    public static async Task<TensorIndex> ReadAsync(IBlobStore store, BlobDigest digest, string format, CancellationToken cancellationToken)
    {
        using var file = await TensorFile.OpenAsync(store, digest, TensorLayouts.Of(format), cancellationToken);
        if (file is null)
        {
            return Opaque;
        }
        if (file.Tensors.FirstOrDefault(tensor => tensor.Name.Length > ParameterTensor.NameMaxLength) is { } longName)
        {
            throw new InvalidTensorFileException(file.Layout, $"The tensor name '{longName.Name[..64]}...' is longer than {ParameterTensor.NameMaxLength} characters.");
        }
        return new TensorIndex(file.Layout, file.Tensors, file.Metadata);
    }
}
