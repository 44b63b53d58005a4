using System.IO.Pipelines;
using Microsoft.Extensions.Options;
using NovaBrain.Parameters.Blobs;
using NovaBrain.Parameters.Sets;
using NovaBrain.Parameters.Tensors;

namespace NovaBrain.Parameters.Optimization;

/// <summary>
/// Converts a version's blob into a new blob of the same format. The converted file is written into a pipe that the
/// blob store reads from as it hashes and stores, so it is never held whole in memory (for safetensors) nor staged
/// twice.
/// </summary>
public sealed class ParameterConverter(IBlobStore store, IOptions<BlobStorageOptions> options)
{
    public const string ConvertedFromKey = "novabrain.converted_from";
    public const string ConversionKey = "novabrain.conversion";

    /// <exception cref="ConversionRefusedException">The version cannot be converted so.</exception>
    public async Task<ConversionResult> ConvertAsync(ParameterSetVersion version, Conversion conversion, CancellationToken cancellationToken)
    {
        using var source = await TensorFile.OpenAsync(store, BlobDigest.Parse(version.Blob), version.TensorLayout, cancellationToken)
            ?? throw new ConversionRefusedException("not-convertible", $"Version {version.Version} is '{version.Format}' with no tensors recorded; only safetensors and onnx versions convert.");

        if (SafetensorsConverter.ScaleNameClashes(source, conversion).FirstOrDefault() is { } clash)
        {
            throw new ConversionRefusedException("scale-name-taken", $"The file already has a tensor '{clash}{SafetensorsConverter.ScaleSuffix}', where the scales of '{clash}' would go.");
        }
        if (source is OnnxTensorFile onnx && OnnxConverter.MinimumOpset(conversion) is { } minimum && OnnxConverter.Opset(onnx.Model) < minimum)
        {
            throw new ConversionRefusedException("opset-too-old", $"The model imports opset {OnnxConverter.Opset(onnx.Model)}; {conversion} needs DequantizeLinear of opset {minimum} or later.");
        }

        var metadata = new Dictionary<string, string>(source.Metadata)
        {
            [ConvertedFromKey] = $"{version.Name}/{version.Version}",
            [ConversionKey] = conversion.ToString(),
        };

        var pipe = new Pipe();
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = Task.Run(async () =>
        {
            try
            {
                await using var output = pipe.Writer.AsStream(leaveOpen: true);
                var converted = source is OnnxTensorFile model
                    ? await OnnxConverter.WriteAsync(model, conversion, metadata, output, stopWriting.Token)
                    : await SafetensorsConverter.WriteAsync(source, conversion, metadata, output, stopWriting.Token);
                await pipe.Writer.CompleteAsync();
                return converted;
            }
            catch (Exception exception)
            {
                await pipe.Writer.CompleteAsync(exception);
                throw;
            }
        }, CancellationToken.None);

        BlobWriteResult? stored = null;
        try
        {
            await using var input = pipe.Reader.AsStream();
            stored = await store.WriteAsync(input, expected: null, options.Value.MaxBlobBytes, cancellationToken);
        }
        finally
        {
            if (stored?.Status is not (BlobWriteStatus.Created or BlobWriteStatus.Existing))
            {
                // The store stopped reading: the writer stops too, and is waited for before the source file closes.
                await stopWriting.CancelAsync();
            }
            await ((Task)writing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (stored.Status == BlobWriteStatus.TooLarge)
        {
            throw new ConversionRefusedException("blob-too-large", $"The converted file would exceed {options.Value.MaxBlobBytes} bytes (Parameters:Storage:MaxBlobBytes).");
        }
        return new ConversionResult(stored, await writing);
    }
}

public sealed record ConversionResult(BlobWriteResult Stored, IReadOnlyList<ConvertedTensor> Tensors)
{
    public double MaxAbsError => Tensors.Select(tensor => tensor.MaxAbsError).DefaultIfEmpty(0).Max();

    /// <summary>The mean over every converted element, not over tensors.</summary>
    public double MeanAbsError
    {
        get
        {
            var elements = Tensors.Sum(tensor => tensor.Elements);
            return elements == 0 ? 0 : Tensors.Sum(tensor => tensor.MeanAbsError * tensor.Elements) / elements;
        }
    }
}

/// <summary>A conversion the version's file does not allow; <see cref="Reason"/> is the problem's reason.</summary>
public sealed class ConversionRefusedException(string reason, string message) : Exception(message)
{
    public string Reason { get; } = reason;
}
