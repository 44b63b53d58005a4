using NovaBrain.Training.Trainer;

namespace NovaBrain.TrainingBenchmarks;

/// <summary>
/// Seeded rows whose class is the largest of a fixed random linear projection, so both trainers have something to
/// learn; written for the PyTorch script as the same split the TorchSharp trainer makes.
/// </summary>
public static class SyntheticData
{
    public static TabularDataset Create(TrainingBenchmarkOptions options)
    {
        var random = new Random(TrainingBenchmarkOptions.Seed);
        var projection = Enumerable.Range(0, options.Features * options.Classes).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var features = new float[options.Rows][];
        var targets = new float[options.Rows];
        for (var row = 0; row < options.Rows; row++)
        {
            var x = features[row] = Enumerable.Range(0, options.Features).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
            targets[row] = Enumerable.Range(0, options.Classes)
                .MaxBy(label => Enumerable.Range(0, options.Features).Sum(column => x[column] * projection[column * options.Classes + label]));
        }
        return new TabularDataset(
            Enumerable.Range(1, options.Features).Select(column => $"x{column}").ToArray(),
            features,
            Enumerable.Range(0, options.Classes).Select(label => $"class{label:D2}").ToArray(),
            targets);
    }

    /// <summary>Writes the training and validation rows (float32 features, int64 labels) as the trainer splits them.</summary>
    public static void WriteSplit(TabularDataset data, string folder)
    {
        var (train, validation) = MlpTrainer.Split(data.Rows, TrainingBenchmarkOptions.ValidationFraction, TrainingBenchmarkOptions.Seed);
        Write(data, train, Path.Combine(folder, "train"));
        Write(data, validation, Path.Combine(folder, "validation"));
    }

    private static void Write(TabularDataset data, int[] rows, string prefix)
    {
        using (var features = new BinaryWriter(File.Create($"{prefix}-x.bin")))
        {
            foreach (var value in rows.SelectMany(row => data.Features[row]))
            {
                features.Write(value);
            }
        }
        using var labels = new BinaryWriter(File.Create($"{prefix}-y.bin"));
        foreach (var row in rows)
        {
            labels.Write((long)data.Targets[row]);
        }
    }
}
