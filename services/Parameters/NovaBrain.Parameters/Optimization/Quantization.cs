using System.Buffers.Binary;
using NovaBrain.Parameters.Tensors;

namespace NovaBrain.Parameters.Optimization;

/// <summary>
/// The element-wise conversions, streamed block by block from a <see cref="FloatReader"/> to an output stream:
/// float16 rounding, and symmetric int8 quantization <c>q = clamp(round(w / scale), -127, 127)</c> with
/// <c>scale = max|w| / 127</c> per tensor or per index of axis 0.
/// </summary>
public static class Quantization
{
    public const int MaxInt8 = 127;
    private const int BlockElements = 64 * 1024;

    /// <summary>Writes each element as a little-endian IEEE half; returns the rounding errors.</summary>
    public static async Task<ErrorStatistics> ToFloat16Async(FloatReader source, Stream output, CancellationToken cancellationToken)
    {
        var errors = new ErrorStatistics();
        var block = new double[BlockElements];
        var bytes = new byte[BlockElements * 2];
        int read;
        while ((read = await source.ReadAsync(block)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                var half = (Half)(float)block[i];
                BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(i * 2), half);
                errors.Add(block[i], (double)half);
            }
            await output.WriteAsync(bytes.AsMemory(0, read * 2), cancellationToken);
        }
        return errors;
    }

    /// <summary>
    /// The scales of a tensor of <paramref name="elements"/> elements split into <paramref name="channels"/> equal,
    /// contiguous channels (1 for per-tensor): each channel's max|w| / 127, as stored (float32).
    /// </summary>
    public static async Task<float[]> ScalesAsync(FloatReader source, long elements, long channels)
    {
        var maxima = new double[channels];
        var perChannel = elements / channels;
        var block = new double[BlockElements];
        long index = 0;
        int read;
        while ((read = await source.ReadAsync(block)) > 0)
        {
            for (var i = 0; i < read; i++, index++)
            {
                var channel = index / perChannel;
                maxima[channel] = Math.Max(maxima[channel], Math.Abs(block[i]));
            }
        }
        return maxima.Select(maximum => (float)(maximum / MaxInt8)).ToArray();
    }

    /// <summary>Writes each element as a signed byte with its channel's scale; returns the dequantization errors.</summary>
    public static async Task<ErrorStatistics> ToInt8Async(FloatReader source, long elements, float[] scales, Stream output, CancellationToken cancellationToken)
    {
        var errors = new ErrorStatistics();
        var perChannel = elements / scales.Length;
        var block = new double[BlockElements];
        var bytes = new byte[BlockElements];
        long index = 0;
        int read;
        while ((read = await source.ReadAsync(block)) > 0)
        {
            for (var i = 0; i < read; i++, index++)
            {
                double scale = scales[index / perChannel];
                var quantized = scale == 0 ? 0 : Math.Clamp(Math.Round(block[i] / scale, MidpointRounding.AwayFromZero), -MaxInt8, MaxInt8);
                bytes[i] = (byte)(sbyte)quantized;
                errors.Add(block[i], quantized * scale);
            }
            await output.WriteAsync(bytes.AsMemory(0, read), cancellationToken);
        }
        return errors;
    }

    /// <summary>Float32 values as little-endian bytes.</summary>
    public static byte[] Float32Bytes(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }
        return bytes;
    }
}
