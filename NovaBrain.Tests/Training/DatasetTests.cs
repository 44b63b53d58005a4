using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;
using TorchSharp;

namespace NovaBrain.Tests.Training;

/// <summary>Datasets as the worker reads them: CSV or Parquet files, split by a seed, streamed in batches through a bounded buffer.</summary>
[TestClass]
public sealed class DatasetTests
{
    private static readonly TrainingTemplate Classifier = BuiltInTemplates.Find(BuiltInTemplates.MlpClassifier, null)!;
    private static readonly Hyperparameters Settings = new([16], 0.02, 16, 6, Hyperparameters.Adam, Hyperparameters.Constant, 0, 0.2, 100, 3);

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Open_SplitsExactlyTheFraction_ByTheSeed()
    {
        var csv = TrainingData.ClassificationCsv(101, seed: 2);
        using var first = await TrainingData.OpenAsync(csv, "species", TrainingTasks.Classification, Settings);
        using var again = await TrainingData.OpenAsync(csv, "species", TrainingTasks.Classification, Settings);
        using var other = await TrainingData.OpenAsync(csv, "species", TrainingTasks.Classification, Settings with { Seed = 4 });

        Assert.AreEqual((81L, 20L), (first.TrainingRows, first.ValidationRows), "round(101 × 0.2) rows held out");
        CollectionAssert.AreEqual(Rows(first.ValidationSample(100)), Rows(again.ValidationSample(100)));
        CollectionAssert.AreNotEqual(Rows(first.ValidationSample(100)), Rows(other.ValidationSample(100)));
    }

    [TestMethod]
    public async Task Parquet_WithTheSameRowsAsACsv_IsTheSameDataset()
    {
        var csv = TrainingData.ClassificationCsv(120, seed: 6);
        using var fromCsv = await TrainingData.OpenAsync(csv, "species", TrainingTasks.Classification, Settings);
        using var fromParquet = await TrainingData.OpenFileAsync(await TrainingData.ParquetOf(csv, rowGroupRows: 50), "species", TrainingTasks.Classification, Settings);

        CollectionAssert.AreEqual(fromCsv.FeatureNames.ToArray(), fromParquet.FeatureNames.ToArray());
        CollectionAssert.AreEqual(fromCsv.Classes.ToArray(), fromParquet.Classes.ToArray());
        CollectionAssert.AreEqual(Rows(fromCsv.ValidationSample(100)), Rows(fromParquet.ValidationSample(100)));
        CollectionAssert.AreEqual(
            fromCsv.TrainingBatches(16, 9).SelectMany(batch => batch.Targets).ToList(),
            fromParquet.TrainingBatches(16, 9).SelectMany(batch => batch.Targets).ToList());
    }

    [TestMethod]
    public async Task Parquet_WithoutTheLabelColumn_OrWithATextFeature_SaysWhatIsWrong()
    {
        var file = await TrainingData.ParquetOf(TrainingData.ClassificationCsv(20, seed: 1), rowGroupRows: 20);
        var missing = await Assert.ThrowsExactlyAsync<TrainingDataException>(() =>
            TrainingData.OpenFileAsync(file, "label", TrainingTasks.Classification, Settings));
        StringAssert.Contains(missing.Message, "The Parquet schema has no column 'label'; it has x1, x2, x3, x4, species");

        var text = await Assert.ThrowsExactlyAsync<TrainingDataException>(() =>
            TrainingData.OpenFileAsync(file, "x1", TrainingTasks.Regression, Settings));
        StringAssert.Contains(text.Message, "The Parquet column 'species' holds text; feature columns are numeric.");
    }

    [TestMethod]
    public async Task Train_FromAFileLargerThanTheShuffleBuffer_HoldsOnlyTheBufferAndABatch_AndStaysDeterministic()
    {
        const int buffer = 32;
        var csv = TrainingData.ClassificationCsv(1500, seed: 8);
        using var data = await TrainingData.OpenAsync(csv, "species", TrainingTasks.Classification, Settings, shuffleBufferRows: buffer);
        using var first = await TrainAsync(data);
        var peak = data.PeakBufferedRows;
        using var second = await TrainAsync(data);

        Assert.IsLessThanOrEqualTo(buffer + Settings.BatchSize, peak, "the shuffle buffer and one batch at most");
        Assert.IsGreaterThan(0.8, first.History[^1].Metrics[MetricNames.Accuracy], "still learns from a locally shuffled stream");
        CollectionAssert.AreEqual(first.History.Select(epoch => epoch.ValidationLoss).ToList(), second.History.Select(epoch => epoch.ValidationLoss).ToList());

        var epochOne = data.TrainingBatches(Settings.BatchSize, 1).SelectMany(batch => batch.Targets).ToList();
        var epochTwo = data.TrainingBatches(Settings.BatchSize, 2).SelectMany(batch => batch.Targets).ToList();
        Assert.HasCount((int)data.TrainingRows, epochOne, "every training row once per epoch");
        CollectionAssert.AreNotEqual(epochOne, epochTwo, "each epoch shuffles anew");
    }

    private Task<TrainedNetwork> TrainAsync(TabularDataset data) =>
        NetworkTrainer.TrainAsync(data, Classifier, Settings, torch.CPU, null, (_, _, _) => Task.CompletedTask, TestContext.CancellationToken);

    private static List<string> Rows(float[][] rows) => rows.Select(row => string.Join(',', row)).ToList();
}
