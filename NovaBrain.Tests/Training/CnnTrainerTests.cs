using System.Text.Json;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Training.Export;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Tests.Training;

/// <summary>The cnn-classifier template: it learns small images, deterministically, resumes, and exports to ONNX that computes the same.</summary>
[TestClass]
public sealed class CnnTrainerTests
{
    private const int Size = 12;
    private static readonly TrainingTemplate Cnn = BuiltInTemplates.Find(BuiltInTemplates.CnnClassifier, null)!;
    private static readonly string Images = TrainingData.HalvesCsv(160, Size, seed: 3);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Train_OnImagesWhoseBrightHalfIsTheLabel_LearnsThem()
    {
        var settings = Settings();
        using var data = await OpenAsync(settings);
        using var model = await TrainAsync(data, settings);

        Assert.HasCount(6, model.History);
        Assert.IsGreaterThanOrEqualTo(0.95, model.History[^1].Metrics[MetricNames.Accuracy], "two classes: chance is 0.5");
        CollectionAssert.AreEqual(new[] { "left", "right" }, model.Classes.ToArray());
        Assert.IsTrue(model.Layers.OfType<ConvolutionLayer>().Count() == 2 && model.Layers.OfType<MaxPoolLayer>().Count() == 2);
    }

    [TestMethod]
    public async Task Train_TwiceWithTheSameSeed_GivesTheSameMetrics_AndResumesExactly()
    {
        var settings = Settings() with { CheckpointEvery = 3 };
        using var data = await OpenAsync(settings);
        var checkpoints = new List<TrainingCheckpoint>();
        using var first = await NetworkTrainer.TrainAsync(data, Cnn, settings, torch.CPU, null, (_, checkpoint, _) =>
        {
            if (checkpoint is not null)
            {
                checkpoints.Add(checkpoint);
            }
            return Task.CompletedTask;
        }, TestContext.CancellationToken);
        using var second = await TrainAsync(data, settings);
        using var resumed = await NetworkTrainer.TrainAsync(data, Cnn, settings, torch.CPU, TrainingCheckpoint.FromBytes(checkpoints.Single().ToBytes()),
            (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);

        CollectionAssert.AreEqual(first.History.Select(Flatten).ToList(), second.History.Select(Flatten).ToList());
        CollectionAssert.AreEqual(first.History.Select(Flatten).ToList(), resumed.History.Select(Flatten).ToList());
    }

    [TestMethod]
    public async Task Export_TakesFlatPixelRows_AndComputesWhatTheTrainedNetworkComputes_InOnnxRuntime()
    {
        var settings = Settings() with { Epochs = 2 };
        using var data = await OpenAsync(settings);
        using var model = await TrainAsync(data, settings);
        var onnx = OnnxExporter.Export(model);

        CollectionAssert.IsSubsetOf(new[] { "Sub", "Div", "Reshape", "Conv", "Relu", "MaxPool", "Flatten", "Gemm" },
            onnx.Graph.Node.Select(node => node.OpType).Distinct().ToList());
        var input = onnx.Graph.Input.Single().Type.TensorType.Shape.Dim;
        Assert.AreEqual(("batch", (long)(Size * Size)), (input[0].DimParam, input[1].DimValue));
        Assert.IsLessThanOrEqualTo(OnnxOutputCheck.Tolerance, OnnxOutputCheck.Verify(onnx.ToByteArray(), model));

        // What a client sends: fresh images as flat rows; the logits match TorchSharp's.
        var fresh = TrainingData.HalvesCsv(20, Size, seed: 77).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(',')[..^1].Select(cell => float.Parse(cell, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var expected = model.Predict(fresh);
        using var session = new InferenceSession(onnx.ToByteArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(fresh.SelectMany(row => row).ToArray(), [fresh.Length, Size * Size]))]);
        var actual = results.Single().AsTensor<float>();
        for (var row = 0; row < fresh.Length; row++)
        {
            Assert.AreEqual(expected[row][0], actual[row, 0], 1e-4f);
            Assert.AreEqual(expected[row][1], actual[row, 1], 1e-4f);
        }
    }

    [TestMethod]
    public async Task Train_WhenThePixelsDoNotMakeTheImageShape_SaysSo()
    {
        var settings = Settings(height: 10);
        using var data = await OpenAsync(settings);

        var error = await Assert.ThrowsExactlyAsync<TrainingDataException>(() => TrainAsync(data, settings));
        StringAssert.Contains(error.Message, $"The dataset has {Size * Size} feature columns; a 1x10x12 image");
    }

    [TestMethod]
    public void Validate_CnnHyperparameters_FillsTheImageDefaults_AndRejectsMoreBlocksThanTheImageAllows()
    {
        var (defaults, _) = HyperparameterValidator.Validate(Cnn, null);
        Assert.AreEqual(new ConvolutionSettings(1, 28, 28, defaults!.Convolution!.Filters, 3), defaults.Convolution);
        CollectionAssert.AreEqual(new[] { 8, 16 }, defaults.Convolution.Filters.ToArray());

        var (values, errors) = HyperparameterValidator.Validate(Cnn, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            """{ "imageHeight": 4, "imageWidth": 4, "convFilters": [4, 4, 4] }"""));
        Assert.IsNull(values);
        StringAssert.Contains(errors["hyperparameters.convFilters"][0], "a 4×4 image allows at most 2");
    }

    private static Hyperparameters Settings(int height = Size)
    {
        var (values, errors) = HyperparameterValidator.Validate(Cnn, JsonSerializer.Deserialize<Dictionary<string, JsonElement>>($$"""
            { "imageHeight": {{height}}, "imageWidth": {{Size}}, "convFilters": [4, 8], "hiddenLayers": [16], "epochs": 6,
              "learningRate": 0.01, "batchSize": 16, "earlyStoppingPatience": 0, "validationFraction": 0.25, "seed": 5 }
            """));
        Assert.IsEmpty(errors);
        return values!;
    }

    private static Task<TabularDataset> OpenAsync(Hyperparameters settings) =>
        TrainingData.OpenAsync(Images, "side", TrainingTasks.Classification, settings);

    private Task<TrainedNetwork> TrainAsync(TabularDataset data, Hyperparameters settings) =>
        NetworkTrainer.TrainAsync(data, Cnn, settings, torch.CPU, null, (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);

    private static string Flatten(EpochMetrics epoch) =>
        $"{epoch.Epoch}:" + string.Join(',', epoch.Metrics.OrderBy(metric => metric.Key).Select(metric => $"{metric.Key}={metric.Value:R}"));
}
