using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NovaBrain.Training.Export;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Tests.Training;

/// <summary>The TorchSharp trainer and the ONNX export of the MLPs, in process: learning, determinism, resuming, early stopping and export fidelity.</summary>
[TestClass]
public sealed class MlpTrainerTests
{
    private static readonly TrainingTemplate Classifier = BuiltInTemplates.Find(BuiltInTemplates.MlpClassifier, null)!;
    private static readonly TrainingTemplate Regressor = BuiltInTemplates.Find(BuiltInTemplates.MlpRegressor, null)!;
    private static readonly Hyperparameters Settings = new([16, 8], 0.02, 32, 12, Hyperparameters.Adam, Hyperparameters.Cosine, 0, 0.25, 4, 11);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Train_Classifier_LearnsFarAboveChance()
    {
        using var data = await Classification(Settings);
        using var model = await TrainAsync(Classifier, data, Settings);

        Assert.HasCount(12, model.History);
        Assert.IsGreaterThan(0.85, model.History[^1].Metrics[MetricNames.Accuracy], "three balanced-ish classes: chance is about 0.33");
        Assert.IsLessThan(model.History[0].Loss, model.History[^1].Loss);
        CollectionAssert.AreEqual(new[] { "setosa", "versicolor", "virginica" }, model.Classes.ToArray());
    }

    [TestMethod]
    public async Task Train_TwiceWithTheSameSeed_GivesTheSameMetrics_AndAnotherSeedDoesNot()
    {
        using var data = await Classification(Settings);
        using var first = await TrainAsync(Classifier, data, Settings);
        using var second = await TrainAsync(Classifier, data, Settings);
        using var otherData = await Classification(Settings with { Seed = 12 });
        using var other = await TrainAsync(Classifier, otherData, Settings with { Seed = 12 });

        CollectionAssert.AreEqual(first.History.Select(Flatten).ToList(), second.History.Select(Flatten).ToList());
        CollectionAssert.AreNotEqual(first.History.Select(Flatten).ToList(), other.History.Select(Flatten).ToList());
    }

    [TestMethod]
    public async Task Train_ResumedFromACheckpoint_EndsExactlyAsTheUninterruptedRun()
    {
        using var data = await Classification(Settings);
        var checkpoints = new List<TrainingCheckpoint>();
        using var uninterrupted = await NetworkTrainer.TrainAsync(data, Classifier, Settings, torch.CPU, null, (_, checkpoint, _) =>
        {
            if (checkpoint is not null)
            {
                checkpoints.Add(checkpoint);
            }
            return Task.CompletedTask;
        }, TestContext.CancellationToken);
        Assert.HasCount(2, checkpoints, "checkpoints after epochs 4 and 8 of 12");

        // The checkpoint goes through its file format, as it does through the parameter service.
        var restored = TrainingCheckpoint.FromBytes(checkpoints[0].ToBytes());
        var resumedEpochs = new List<int>();
        using var resumed = await NetworkTrainer.TrainAsync(data, Classifier, Settings, torch.CPU, restored, (metrics, _, _) =>
        {
            resumedEpochs.Add(metrics.Epoch);
            return Task.CompletedTask;
        }, TestContext.CancellationToken);

        CollectionAssert.AreEqual(Enumerable.Range(5, 8).ToList(), resumedEpochs);
        CollectionAssert.AreEqual(uninterrupted.History.Select(Flatten).ToList(), resumed.History.Select(Flatten).ToList());
    }

    [TestMethod]
    public async Task Train_ResumedFromAStepCheckpointWithinAnEpoch_EndsExactlyAsTheUninterruptedRun()
    {
        var settings = Settings with { Epochs = 4, CheckpointEvery = 100, CheckpointEverySteps = 10, EarlyStoppingPatience = 2 };
        using var data = await Classification(settings);
        var (withinEpochs, atEpochEnds) = (new List<TrainingCheckpoint>(), new List<TrainingCheckpoint>());
        using var uninterrupted = await NetworkTrainer.TrainAsync(data, Classifier, settings, torch.CPU, null, (_, checkpoint, _) =>
            {
                if (checkpoint is not null)
                {
                    atEpochEnds.Add(checkpoint);
                }
                return Task.CompletedTask;
            },
            TestContext.CancellationToken, (checkpoint, _) =>
            {
                withinEpochs.Add(checkpoint);
                return Task.CompletedTask;
            });
        var stepsPerEpoch = (int)Math.Ceiling(data.TrainingRows / 32.0);
        var everyTenth = Enumerable.Range(1, 4 * stepsPerEpoch).Where(step => step % 10 == 0).ToList();
        Assert.HasCount(everyTenth.Count(step => step % stepsPerEpoch != 0), withinEpochs, "every 10th step within an epoch");
        CollectionAssert.AreEqual(everyTenth.Where(step => step % stepsPerEpoch == 0 && step < 4 * stepsPerEpoch).Select(step => step / stepsPerEpoch).ToList(),
            atEpochEnds.Select(checkpoint => checkpoint.CompletedEpochs).ToList(), "a 10th step that ends an epoch checkpoints after it");

        var withinSecondEpoch = withinEpochs.First(checkpoint => checkpoint.CompletedEpochs == 1);
        Assert.IsGreaterThan(0, withinSecondEpoch.Partial!.Steps);
        using var resumed = await NetworkTrainer.TrainAsync(data, Classifier, settings, torch.CPU, TrainingCheckpoint.FromBytes(withinSecondEpoch.ToBytes()),
            (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);

        CollectionAssert.AreEqual(uninterrupted.History.Select(Flatten).ToList(), resumed.History.Select(Flatten).ToList());
    }

    [TestMethod]
    public async Task Train_WithEarlyStopping_StopsWhenValidationLossStalls_AndKeepsTheBestEpochsWeights()
    {
        var stopping = Settings with { Epochs = 200, EarlyStoppingPatience = 2, LrSchedule = Hyperparameters.Constant, LearningRate = 0.2 };
        using var data = await Classification(stopping);
        using var model = await TrainAsync(Classifier, data, stopping);

        Assert.IsLessThan(200, model.History.Count);
        var best = model.History.MinBy(epoch => epoch.ValidationLoss)!;
        Assert.IsTrue(model.History.TakeLast(2).All(epoch => epoch.ValidationLoss > best.ValidationLoss), "the last two epochs did not improve on the best");
        Assert.AreEqual(best, model.ModelEpoch);

        // The same run stopped by hand at the best epoch holds the same weights, so predicts exactly the same.
        using var upToBest = await TrainAsync(Classifier, data, stopping with { Epochs = best.Epoch, EarlyStoppingPatience = 0 });
        var expected = upToBest.Predict(model.HeldOutRows);
        var actual = model.Predict(model.HeldOutRows);
        CollectionAssert.AreEqual(expected.SelectMany(row => row).ToList(), actual.SelectMany(row => row).ToList());
    }

    [TestMethod]
    public async Task Train_Regressor_ReportsRmseAndMaeInTheTargetsUnits()
    {
        var settings = Settings with { Epochs = 30 };
        using var data = await TrainingData.OpenAsync(TrainingData.RegressionCsv(600, 3), "y", TrainingTasks.Regression, settings);
        using var model = await TrainAsync(Regressor, data, settings);

        var final = model.History[^1].Metrics;
        Assert.IsLessThan(0.3, final[MetricNames.Rmse], "the targets spread over about ±6");
        Assert.IsLessThanOrEqualTo(final[MetricNames.Rmse], final[MetricNames.Mae]);
    }

    [TestMethod]
    [DataRow(BuiltInTemplates.MlpClassifier)]
    [DataRow(BuiltInTemplates.MlpRegressor)]
    public async Task Export_ComputesWhatTheTrainedNetworkComputes_InOnnxRuntime(string templateName)
    {
        var regression = templateName == BuiltInTemplates.MlpRegressor;
        var settings = Settings with { Epochs = 3 };
        using var data = regression
            ? await TrainingData.OpenAsync(TrainingData.RegressionCsv(300, 5), "y", TrainingTasks.Regression, settings)
            : await Classification(settings);
        using var model = await TrainAsync(regression ? Regressor : Classifier, data, settings);
        var onnx = OnnxExporter.Export(model).ToByteArray();

        Assert.IsLessThanOrEqualTo(OnnxOutputCheck.Tolerance, OnnxOutputCheck.Verify(onnx, model));

        var rows = model.HeldOutRows;
        var expected = model.Predict(rows);
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input",
            new DenseTensor<float>(rows.SelectMany(row => row).ToArray(), [rows.Length, rows[0].Length]))]);
        var actual = results.Single().AsTensor<float>();
        Assert.AreEqual(regression ? 1 : 3, actual.Dimensions[1]);
        for (var row = 0; row < rows.Length; row++)
        {
            for (var column = 0; column < expected[row].Length; column++)
            {
                Assert.AreEqual(expected[row][column], actual[row, column], 1e-4f);
            }
        }
    }

    [TestMethod]
    public async Task Open_WithoutTheLabelColumn_OrWithAWord_SaysWhatIsWrong()
    {
        var missing = await Assert.ThrowsExactlyAsync<TrainingDataException>(() =>
            TrainingData.OpenAsync(TrainingData.RegressionCsv(20, 1), "target", TrainingTasks.Regression, Settings));
        StringAssert.Contains(missing.Message, "no column 'target'; it has x1, x2, y");

        var word = await Assert.ThrowsExactlyAsync<TrainingDataException>(() =>
            TrainingData.OpenAsync("a,b,y\n1,2,3\n1,two,3\n", "y", TrainingTasks.Regression, Settings));
        StringAssert.Contains(word.Message, "Line 3, column 'b': 'two' is not a finite number");
    }

    private static Task<TabularDataset> Classification(Hyperparameters settings) =>
        TrainingData.OpenAsync(TrainingData.ClassificationCsv(600, 1), "species", TrainingTasks.Classification, settings);

    private Task<TrainedNetwork> TrainAsync(TrainingTemplate template, TabularDataset data, Hyperparameters hyperparameters) =>
        NetworkTrainer.TrainAsync(data, template, hyperparameters, torch.CPU, null, (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);

    private static string Flatten(EpochMetrics epoch) =>
        $"{epoch.Epoch}:{epoch.LearningRate:R}:" + string.Join(',', epoch.Metrics.OrderBy(metric => metric.Key).Select(metric => $"{metric.Key}={metric.Value:R}"));
}
