using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using NovaBrain.Training.Templates;
using NovaBrain.Training.Trainer;

namespace NovaBrain.Tests.Training;

/// <summary>Seeded datasets whose labels follow a known rule, so that a trained model can be held to it.</summary>
internal static class TrainingData
{
    /// <summary>Three classes by which of two linear scores is larger (or neither above 0); features x1..x4, label "species".</summary>
    public static string ClassificationCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,x3,x4,species\n");
        for (var row = 0; row < rows; row++)
        {
            var x = Enumerable.Range(0, 4).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var (a, b) = (x[0] + 0.5 * x[1], x[2] - x[3]);
            var label = a < 0 && b < 0 ? "setosa" : a > b ? "versicolor" : "virginica";
            csv.Append(string.Join(',', x.Select(value => value.ToString("F4", CultureInfo.InvariantCulture)))).Append(',').Append(label).Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>y = 3·x1 − 2·x2 + x1·x2 + 5 with a little noise; features x1, x2, label "y".</summary>
    public static string RegressionCsv(int rows, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder("x1,x2,y\n");
        for (var row = 0; row < rows; row++)
        {
            var (x1, x2) = (random.NextDouble() * 2 - 1, random.NextDouble() * 2 - 1);
            var y = 3 * x1 - 2 * x2 + x1 * x2 + 5 + (random.NextDouble() - 0.5) * 0.05;
            csv.Append(string.Create(CultureInfo.InvariantCulture, $"{x1:F4},{x2:F4},{y:F4}\n"));
        }
        return csv.ToString();
    }

    /// <summary>
    /// Grey <paramref name="size"/>×<paramref name="size"/> images, pixels p0..pN in row order, label "side": "left" when
    /// the left half is the bright one, "right" otherwise, with noise everywhere.
    /// </summary>
    public static string HalvesCsv(int rows, int size, int seed)
    {
        var random = new Random(seed);
        var csv = new StringBuilder(string.Join(',', Enumerable.Range(0, size * size).Select(pixel => $"p{pixel}")) + ",side\n");
        for (var row = 0; row < rows; row++)
        {
            var left = random.Next(2) == 0;
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    var bright = (x < size / 2) == left;
                    var value = (bright ? 0.7 : 0.2) + random.NextDouble() * 0.3;
                    csv.Append(value.ToString("F3", CultureInfo.InvariantCulture)).Append(',');
                }
            }
            csv.Append(left ? "left" : "right").Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>The CSV as a streamed dataset, split as <paramref name="hyperparameters"/> say.</summary>
    public static Task<TabularDataset> OpenAsync(
        string csv, string labelColumn, string task, Hyperparameters hyperparameters, int shuffleBufferRows = 100_000) =>
        OpenFileAsync(Encoding.UTF8.GetBytes(csv), labelColumn, task, hyperparameters, shuffleBufferRows);

    public static async Task<TabularDataset> OpenFileAsync(
        byte[] file, string labelColumn, string task, Hyperparameters hyperparameters, int shuffleBufferRows = 100_000)
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, file);
            return await TabularDataset.OpenAsync(path, labelColumn, task,
                new DatasetSplit(hyperparameters.ValidationFraction, hyperparameters.Seed, shuffleBufferRows), CancellationToken.None);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The CSV as a Parquet file: double feature columns, a string label column, in row groups of <paramref name="rowGroupRows"/>.</summary>
    public static async Task<byte[]> ParquetOf(string csv, int rowGroupRows)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var cells = lines.Skip(1).Select(line => line.Split(',')).ToArray();
        var fields = header[..^1].Select(name => new DataField(name, typeof(double))).Append(new DataField(header[^1], typeof(string))).ToArray();
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            foreach (var chunk in cells.Chunk(rowGroupRows))
            {
                using var group = writer.CreateRowGroup();
                for (var column = 0; column < header.Length - 1; column++)
                {
                    var values = chunk.Select(row => double.Parse(row[column], CultureInfo.InvariantCulture)).ToArray();
                    await group.WriteAsync(fields[column], new ReadOnlyMemory<double>(values));
                }
                await group.WriteAsync(fields[^1], chunk.Select(row => row[^1]).ToArray());
            }
        }
        return stream.ToArray();
    }
}
