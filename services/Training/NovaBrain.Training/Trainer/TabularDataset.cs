using System.Globalization;
using NovaBrain.Training.Templates;

namespace NovaBrain.Training.Trainer;

/// <summary>The dataset cannot be trained on (no such label column, a non-numeric feature...): retrying will not help.</summary>
public sealed class TrainingDataException(string message) : Exception(message);

/// <summary>
/// A CSV file read into memory: numeric feature columns and a label column, which holds class names for
/// classification and numbers for regression. Classes are numbered in ordinal order of their names.
/// </summary>
public sealed record TabularDataset(
    IReadOnlyList<string> FeatureNames, float[][] Features, IReadOnlyList<string> Classes, float[] Targets)
{
    public int Rows => Features.Length;

    public static TabularDataset ReadCsv(TextReader reader, string labelColumn, string task)
    {
        var header = SplitLine(reader.ReadLine() ?? throw new TrainingDataException("The CSV file is empty; it needs a header row."));
        var labelIndex = Array.IndexOf(header, labelColumn);
        if (labelIndex < 0)
        {
            throw new TrainingDataException($"The CSV header has no column '{labelColumn}'; it has {string.Join(", ", header)}.");
        }
        if (header.Length < 2)
        {
            throw new TrainingDataException("The CSV file needs at least one feature column besides the label.");
        }

        var features = new List<float[]>();
        var labels = new List<string>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = SplitLine(line);
            if (cells.Length != header.Length)
            {
                throw new TrainingDataException($"Line {lineNumber} has {cells.Length} cells; the header has {header.Length}.");
            }
            var row = new float[header.Length - 1];
            for (int column = 0, feature = 0; column < cells.Length; column++)
            {
                if (column == labelIndex)
                {
                    continue;
                }
                if (!float.TryParse(cells[column], NumberStyles.Float, CultureInfo.InvariantCulture, out row[feature]) || !float.IsFinite(row[feature]))
                {
                    throw new TrainingDataException($"Line {lineNumber}, column '{header[column]}': '{cells[column]}' is not a finite number.");
                }
                feature++;
            }
            features.Add(row);
            labels.Add(cells[labelIndex]);
        }
        if (features.Count < 10)
        {
            throw new TrainingDataException($"The CSV file has {features.Count} data rows; training needs at least 10.");
        }

        var featureNames = header.Where((_, column) => column != labelIndex).ToArray();
        if (task == TrainingTasks.Classification)
        {
            var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
            if (classes.Length < 2)
            {
                throw new TrainingDataException($"The label column '{labelColumn}' has {classes.Length} class; classification needs at least 2.");
            }
            var classIndex = classes.Select((name, index) => (name, index)).ToDictionary(pair => pair.name, pair => (float)pair.index);
            return new TabularDataset(featureNames, [.. features], classes, labels.Select(label => classIndex[label]).ToArray());
        }

        var targets = new float[labels.Count];
        for (var row = 0; row < labels.Count; row++)
        {
            if (!float.TryParse(labels[row], NumberStyles.Float, CultureInfo.InvariantCulture, out targets[row]) || !float.IsFinite(targets[row]))
            {
                throw new TrainingDataException($"Data row {row + 1}: the label '{labels[row]}' is not a finite number, which regression needs.");
            }
        }
        return new TabularDataset(featureNames, [.. features], [], targets);
    }

    private static string[] SplitLine(string line) => line.Split(',').Select(cell => cell.Trim()).ToArray();
}
