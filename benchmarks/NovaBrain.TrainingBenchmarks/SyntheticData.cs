using System.Globalization;
using System.Text;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>
/// Seeded rows whose class is the largest of a fixed random linear projection, so both trainers have something to
/// learn; opened as the training service opens a dataset, and written for the PyTorch script as the same split.
/// </summary>
public static class SyntheticData
{
    public static async Task<TabularDataset> CreateAsync(TrainingBenchmarkOptions options, int rows)
    {
        var random = new Random(TrainingBenchmarkOptions.Seed);
        var projection = Enumerable.Range(0, options.Features * options.Classes).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var path = Path.GetTempFileName();
        try
        {
            await using (var csv = new StreamWriter(path, append: false, Encoding.UTF8))
            {
                await csv.WriteLineAsync(string.Join(',', Enumerable.Range(1, options.Features).Select(column => $"x{column}")) + ",label");
                for (var row = 0; row < rows; row++)
                {
                    var x = Enumerable.Range(0, options.Features).Select(_ => random.NextDouble() * 2 - 1).ToArray();
                    var label = Enumerable.Range(0, options.Classes)
                        .MaxBy(label => Enumerable.Range(0, options.Features).Sum(column => x[column] * projection[column * options.Classes + label]));
                    await csv.WriteLineAsync(string.Join(',', x.Select(value => value.ToString("F5", CultureInfo.InvariantCulture))) + $",class{label:D2}");
                }
            }
            return await TabularDataset.OpenAsync(path, "label", TrainingTasks.Classification,
                new DatasetSplit(TrainingBenchmarkOptions.ValidationFraction, TrainingBenchmarkOptions.Seed, ShuffleBufferRows: rows), CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Writes the training and validation rows (float32 features, int64 labels) as the trainer splits them.</summary>
    public static void WriteSplit(TabularDataset data, string folder)
    {
        Write(data.TrainingBatches(batchSize: 4096, shuffleSeed: TrainingBenchmarkOptions.Seed), Path.Combine(folder, "train"));
        Write(data.ValidationBatches(batchSize: 4096), Path.Combine(folder, "validation"));
    }

    private static void Write(IEnumerable<RowBatch> batches, string prefix)
    {
        using var features = new BinaryWriter(File.Create($"{prefix}-x.bin"));
        using var labels = new BinaryWriter(File.Create($"{prefix}-y.bin"));
        foreach (var batch in batches)
        {
            foreach (var value in batch.Features)
            {
                features.Write(value);
            }
            foreach (var label in batch.Targets)
            {
                labels.Write((long)label);
            }
        }
    }
}
