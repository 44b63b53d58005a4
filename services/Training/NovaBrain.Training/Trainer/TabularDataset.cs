using System.Globalization;
using System.Runtime.InteropServices;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Trainer;

/// <summary>How a dataset is split and streamed.</summary>
/// <param name="ValidationFraction">The share of rows held out for validation (at least one row).</param>
/// <param name="Seed">Chooses the held-out rows, and with the epoch each epoch's shuffle.</param>
/// <param name="ShuffleBufferRows">The rows the training shuffle holds at once; the dataset never holds more rows than this and a batch.</param>
public sealed record DatasetSplit(double ValidationFraction, int Seed, int ShuffleBufferRows);

/// <summary>Rows of a batch: features row after row, and one target per row (a class index or a number).</summary>
public sealed record RowBatch(float[] Features, float[] Targets, int Rows);

/// <summary>
/// A CSV or Parquet dataset streamed from disk, so that datasets larger than memory train: opening it reads the file
/// once, converting rows to fixed-width binary rows split into training and validation files (exactly
/// <c>max(1, round(rows × fraction))</c> rows held out, chosen by seeded selection sampling) and gathering the
/// training rows' column statistics; epochs then read the binary files in batches, the training rows through a
/// seeded bounded shuffle buffer. Classes are numbered in ordinal order of their names. Deleting the files is disposal.
/// </summary>
public sealed class TabularDataset : IDisposable
{
    public const int MinimumRows = 10;
    public const int MaxClasses = 1000;

    private readonly DirectoryInfo folder;
    private readonly int width;
    private readonly float[] classOfLabel;
    private readonly int shuffleBufferRows;
    private int bufferedRows;

    private TabularDataset(
        DirectoryInfo folder, IReadOnlyList<string> featureNames, IReadOnlyList<string> classes, float[] classOfLabel,
        long trainingRows, long validationRows, ColumnStatistics featureStatistics, ColumnStatistics targetStatistics, int shuffleBufferRows)
    {
        this.folder = folder;
        FeatureNames = featureNames;
        Classes = classes;
        this.classOfLabel = classOfLabel;
        TrainingRows = trainingRows;
        ValidationRows = validationRows;
        FeatureStatistics = featureStatistics;
        TargetStatistics = targetStatistics;
        this.shuffleBufferRows = shuffleBufferRows;
        width = featureNames.Count + 1;
    }

    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The class names for classification, empty for regression.</summary>
    public IReadOnlyList<string> Classes { get; }

    public long TrainingRows { get; }
    public long ValidationRows { get; }

    /// <summary>Mean and spread of every feature column over the training rows.</summary>
    public ColumnStatistics FeatureStatistics { get; }

    /// <summary>Mean and spread of the target over the training rows (meaningful for regression).</summary>
    public ColumnStatistics TargetStatistics { get; }

    /// <summary>The most rows this dataset has held in memory at once while streaming: the shuffle buffer and the batch being filled.</summary>
    public int PeakBufferedRows { get; private set; }

    private string TrainingFile => TrainingFileIn(folder);
    private string ValidationFile => ValidationFileIn(folder);

    private static string TrainingFileIn(DirectoryInfo folder) => Path.Combine(folder.FullName, "training.bin");
    private static string ValidationFileIn(DirectoryInfo folder) => Path.Combine(folder.FullName, "validation.bin");

    public static async Task<TabularDataset> OpenAsync(
        string path, string labelColumn, string task, DatasetSplit split, CancellationToken cancellationToken)
    {
        var source = await DatasetSource.OpenAsync(path, labelColumn, cancellationToken);
        var folder = Directory.CreateTempSubdirectory("novabrain-dataset-");
        try
        {
            return await ConvertAsync(source, folder, task, split, cancellationToken);
        }
        catch
        {
            folder.Delete(recursive: true);
            throw;
        }
    }

    private static async Task<TabularDataset> ConvertAsync(
        DatasetSource source, DirectoryInfo folder, string task, DatasetSplit split, CancellationToken cancellationToken)
    {
        var classification = task == TrainingTasks.Classification;
        var featureNames = source.FeatureNames;
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        long rows = 0;
        var allRows = Path.Combine(folder.FullName, "rows.bin");
        await using (var writer = new RowWriter(allRows))
        {
            var record = new float[featureNames.Count + 1];
            await foreach (var row in source.ReadRowsAsync(cancellationToken))
            {
                row.Features.CopyTo(record, 0);
                record[^1] = classification ? LabelIndex(labels, row.Label) : RegressionTarget(row);
                writer.Write(record);
                rows++;
            }
        }
        if (rows < MinimumRows)
        {
            throw new TrainingDataException($"The dataset has {rows} data rows; training needs at least {MinimumRows}.");
        }

        string[] classes = [];
        var classOfLabel = Array.Empty<float>();
        if (classification)
        {
            if (labels.Count < 2)
            {
                throw new TrainingDataException($"The label column has {labels.Count} class; classification needs at least 2.");
            }
            classes = labels.Keys.Order(StringComparer.Ordinal).ToArray();
            classOfLabel = new float[labels.Count];
            foreach (var (name, index) in labels)
            {
                classOfLabel[index] = Array.IndexOf(classes, name);
            }
        }

        // Selection sampling (Knuth's algorithm S) holds out exactly this many rows, whichever they are, without an index of rows.
        var heldOut = Math.Max(1, (long)Math.Round(rows * split.ValidationFraction));
        var random = new Random(split.Seed);
        var features = new RunningStatistics(featureNames.Count);
        var target = new RunningStatistics(1);
        var (trainingRows, validationRows) = (0L, 0L);
        using (var reader = new RowReader(allRows, featureNames.Count + 1))
        await using (var training = new RowWriter(TrainingFileIn(folder)))
        await using (var validation = new RowWriter(ValidationFileIn(folder)))
        {
            for (long row = 0; reader.Next() is { } record; row++)
            {
                if (random.NextDouble() * (rows - row) < heldOut - validationRows)
                {
                    validation.Write(record);
                    validationRows++;
                }
                else
                {
                    training.Write(record);
                    features.Add(record.AsSpan(0, featureNames.Count));
                    target.Add(record.AsSpan(featureNames.Count));
                    trainingRows++;
                }
            }
        }
        File.Delete(allRows);
        if (trainingRows == 0)
        {
            throw new TrainingDataException($"The dataset's {rows} rows all went to validation; lower the validation fraction.");
        }
        return new TabularDataset(folder, featureNames, classes, classOfLabel, trainingRows, validationRows,
            features.Result(), target.Result(), split.ShuffleBufferRows);
    }

    private static float LabelIndex(Dictionary<string, int> labels, string label)
    {
        if (!labels.TryGetValue(label, out var index))
        {
            if (labels.Count == MaxClasses)
            {
                throw new TrainingDataException($"The label column has more than {MaxClasses} distinct values; classification supports at most {MaxClasses} classes.");
            }
            index = labels[label] = labels.Count;
        }
        return index;
    }

    private static float RegressionTarget(SourceRow row) =>
        float.TryParse(row.Label, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && float.IsFinite(value)
            ? value
            : throw new TrainingDataException($"{row.Location}: the label '{row.Label}' is not a finite number, which regression needs.");

    /// <summary>
    /// One epoch's training rows in batches, shuffled by <paramref name="shuffleSeed"/> through the bounded buffer: once
    /// it is full, each row read takes the place of a randomly chosen buffered row, which goes to the batch.
    /// </summary>
    public IEnumerable<RowBatch> TrainingBatches(int batchSize, int shuffleSeed)
    {
        bufferedRows = 0;
        var random = new Random(shuffleSeed);
        var capacity = (int)Math.Min(shuffleBufferRows, TrainingRows);
        // One flat array of fixed-width rows, so that streaming allocates per batch, not per row.
        var buffer = new float[(long)capacity * width];
        var buffered = 0;
        var batch = new BatchBuilder(this, batchSize);
        using var reader = new RowReader(TrainingFile, width);
        while (buffered < capacity && reader.ReadInto(buffer.AsSpan(buffered * width, width)))
        {
            buffered++;
            Hold(1);
        }
        var incoming = new float[width];
        while (reader.ReadInto(incoming))
        {
            var slot = random.Next(buffered) * width;
            if (batch.Add(buffer.AsSpan(slot, width)) is { } full)
            {
                yield return full;
            }
            incoming.CopyTo(buffer.AsSpan(slot, width));
        }
        var order = Enumerable.Range(0, buffered).ToArray();
        random.Shuffle(order);
        foreach (var slot in order)
        {
            Hold(-1);
            if (batch.Add(buffer.AsSpan(slot * width, width)) is { } full)
            {
                yield return full;
            }
        }
        if (batch.Flush() is { } last)
        {
            yield return last;
        }
    }

    /// <summary>The validation rows in file order, in batches of at most <paramref name="batchSize"/> and the shuffle buffer's size.</summary>
    public IEnumerable<RowBatch> ValidationBatches(int batchSize)
    {
        bufferedRows = 0;
        var batch = new BatchBuilder(this, Math.Min(batchSize, shuffleBufferRows));
        using var reader = new RowReader(ValidationFile, width);
        var row = new float[width];
        while (reader.ReadInto(row))
        {
            if (batch.Add(row) is { } full)
            {
                yield return full;
            }
        }
        if (batch.Flush() is { } last)
        {
            yield return last;
        }
    }

    /// <summary>The features of up to <paramref name="maxRows"/> validation rows, raw as a client would send them.</summary>
    public float[][] ValidationSample(int maxRows)
    {
        var sample = new List<float[]>();
        using var reader = new RowReader(ValidationFile, width);
        while (sample.Count < maxRows && reader.Next() is { } row)
        {
            sample.Add(row[..^1]);
        }
        return [.. sample];
    }

    public void Dispose()
    {
        if (folder.Exists)
        {
            folder.Delete(recursive: true);
        }
    }

    private void Hold(int rows)
    {
        bufferedRows += rows;
        PeakBufferedRows = Math.Max(PeakBufferedRows, bufferedRows);
    }

    /// <summary>Copies rows into a batch, remapping class labels to their ordinal class numbers.</summary>
    private sealed class BatchBuilder(TabularDataset dataset, int batchSize)
    {
        private readonly int features = dataset.FeatureNames.Count;
        private float[] featureValues = new float[batchSize * dataset.FeatureNames.Count];
        private float[] targets = new float[batchSize];
        private int rows;

        public RowBatch? Add(ReadOnlySpan<float> row)
        {
            row[..features].CopyTo(featureValues.AsSpan(rows * features));
            targets[rows] = dataset.Classes.Count > 0 ? dataset.classOfLabel[(int)row[features]] : row[features];
            rows++;
            dataset.Hold(1);
            return rows == batchSize ? Flush() : null;
        }

        public RowBatch? Flush()
        {
            if (rows == 0)
            {
                return null;
            }
            var batch = rows == batchSize
                ? new RowBatch(featureValues, targets, rows)
                : new RowBatch(featureValues[..(rows * features)], targets[..rows], rows);
            dataset.Hold(-rows);
            (featureValues, targets, rows) = (new float[batchSize * features], new float[batchSize], 0);
            return batch;
        }
    }

    private sealed class RowWriter(string path) : IAsyncDisposable
    {
        private readonly FileStream stream = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);

        public void Write(float[] row) => stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));

        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }

    /// <summary>Reads fixed-width rows from a binary row file.</summary>
    private sealed class RowReader(string path, int width) : IDisposable
    {
        private readonly FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        private readonly float[] row = new float[width];

        /// <summary>The next row, in an array the next call reuses; null at the end.</summary>
        public float[]? Next() => ReadInto(row) ? row : null;

        /// <summary>Reads the next row into <paramref name="destination"/>; false at the end.</summary>
        public bool ReadInto(Span<float> destination)
        {
            var bytes = MemoryMarshal.AsBytes(destination);
            return stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) == bytes.Length;
        }

        public void Dispose() => stream.Dispose();
    }
}

/// <summary>Per-column mean and standard deviation.</summary>
public sealed record ColumnStatistics(double[] Mean, double[] Deviation);

/// <summary>Welford's running mean and variance per column, numerically stable over many rows.</summary>
internal sealed class RunningStatistics(int columns)
{
    private readonly double[] mean = new double[columns];
    private readonly double[] squares = new double[columns];
    private long count;

    public void Add(ReadOnlySpan<float> values)
    {
        count++;
        for (var column = 0; column < values.Length; column++)
        {
            var delta = values[column] - mean[column];
            mean[column] += delta / count;
            squares[column] += delta * (values[column] - mean[column]);
        }
    }

    public ColumnStatistics Result() =>
        new(mean.ToArray(), squares.Select(sum => Math.Sqrt(sum / Math.Max(1, count))).ToArray());
}
