extern alias ModelServing;

using System.Runtime.InteropServices;
using System.Text.Json;
using ModelServing::NovaBrain.ModelServing.Engines;

namespace NovaBrain.Tests.Serving;

/// <summary>
/// The TorchScript model written by Fixtures/make_torchscript.py with PyTorch 1.13 (an 8 → 16 → 4 MLP), its signature,
/// and the inputs it was given with PyTorch's outputs for them, recorded beside it.
/// </summary>
internal static class TorchScriptFixture
{
    public const int InputWidth = 8;
    public const int OutputWidth = 4;

    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Serving", "Fixtures");

    private static readonly Lazy<JsonElement> Recorded = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "mlp.torchscript.json"))).RootElement);

    public static string ModelPath => Path.Combine(Folder, "mlp.torchscript.pt");

    /// <summary>The signature to register the model with, as the registry's metadata takes it.</summary>
    public static JsonElement Signature => Recorded.Value.GetProperty("signature");

    public static float[] Input => Floats("input");

    public static float[] PyTorchOutput => Floats("output");

    public static int Rows => Input.Length / InputWidth;

    public static IReadOnlyList<TensorSpec> Inputs { get; } = [new("input", TensorDataType.Fp32, [-1, InputWidth])];

    public static IReadOnlyList<TensorSpec> Outputs { get; } = [new("output", TensorDataType.Fp32, [-1, OutputWidth])];

    public static TensorData InputTensor(float[] values) =>
        new("input", TensorDataType.Fp32, [values.Length / InputWidth, InputWidth], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static float[] Floats(string tensor) =>
        Recorded.Value.GetProperty(tensor).GetProperty("data").EnumerateArray().Select(value => value.GetSingle()).ToArray();
}
