using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Training.Trainer;

namespace NovaBrain.Training.Export;

/// <summary>The exported model does not compute what the trained network computes.</summary>
public sealed class OnnxMismatchException(string message) : Exception(message);

/// <summary>Runs an exported model with ONNX Runtime on the held-out rows and compares it with TorchSharp's outputs.</summary>
public static class OnnxOutputCheck
{
    public const float Tolerance = 1e-4f;

    /// <summary>The largest absolute difference over the model's held-out rows; throws above <see cref="Tolerance"/>.</summary>
    public static float Verify(byte[] onnxModel, TrainedNetwork model)
    {
        var rows = model.HeldOutRows.ToArray();
        var expected = model.Predict(rows);
        var width = rows[0].Length;

        using var session = new InferenceSession(onnxModel);
        var input = new DenseTensor<float>(rows.SelectMany(row => row).ToArray(), [rows.Length, width]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, input)]);
        var actual = results.Single(result => result.Name == OnnxExporter.OutputName).AsTensor<float>().ToArray();

        var difference = 0f;
        var outputs = expected[0].Length;
        for (var row = 0; row < rows.Length; row++)
        {
            for (var column = 0; column < outputs; column++)
            {
                difference = Math.Max(difference, Math.Abs(actual[row * outputs + column] - expected[row][column]));
            }
        }
        if (!(difference <= Tolerance))
        {
            throw new OnnxMismatchException($"The ONNX export differs from the trained network by up to {difference} on held-out rows; at most {Tolerance} is allowed.");
        }
        return difference;
    }
}
