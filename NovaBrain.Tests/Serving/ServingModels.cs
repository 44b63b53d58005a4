extern alias ModelServing;

using System.Diagnostics.Metrics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using ModelServing::NovaBrain.ModelServing.Engines;
using ModelServing::NovaBrain.ModelServing.Metrics;
using NovaBrain.Onnx.Building;

namespace NovaBrain.Tests.Serving;

/// <summary>Real ONNX models and inputs for the serving tests, and ONNX Runtime called directly as the reference.</summary>
internal static class ServingModels
{
    public const int InputWidth = 784;
    public const int OutputWidth = 10;

    /// <summary>Writes an MLP (784 → 64 → 10, "input" → "output", variable batch) to a fresh temporary file.</summary>
    public static string WriteMlp(int seed = 1)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("novabrain-serving-").FullName, "mlp.onnx");
        File.WriteAllBytes(path, OnnxModels.Mlp([InputWidth, 64, OutputWidth], seed).ToByteArray());
        return path;
    }

    public static float[] RandomRows(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows * InputWidth).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    public static TensorData Input(float[] values) =>
        new("input", TensorDataType.Fp32, [values.Length / InputWidth, InputWidth], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static float[] Floats(TensorData tensor) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray();

    /// <summary>The model's output for <paramref name="input"/>, from an ONNX Runtime session the test opens itself.</summary>
    public static float[] RunDirectly(string modelPath, float[] input) => RunDirectly(File.ReadAllBytes(modelPath), input);

    /// <inheritdoc cref="RunDirectly(string, float[])"/>
    public static float[] RunDirectly(byte[] model, float[] input)
    {
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [input.Length / InputWidth, InputWidth]);
        using var outputs = session.Run(new RunOptions(), ["input"], [value], ["output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i], actual[i], 1e-5f, $"{what}: element {i}");
        }
    }

    public static ServingMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    public static EngineSettings CpuOnly { get; } = new([ExecutionProvider.Cpu]);
}

/// <summary>A logger that keeps what it is told, to check the lines the engine writes.</summary>
internal sealed class RecordingLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
