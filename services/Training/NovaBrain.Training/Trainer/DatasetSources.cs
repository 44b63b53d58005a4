using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace NovaBrain.Training.Trainer;

/// <summary>The dataset cannot be trained on (no such label column, a non-numeric feature...): retrying will not help.</summary>
public sealed class TrainingDataException(string message) : Exception(message);

/// <summary>One row of a dataset file: its numeric features, its label as written, and where it is for error messages.</summary>
internal readonly record struct SourceRow(float[] Features, string Label, string Location);

/// <summary>
/// A dataset file read row by row, whatever its format: the feature column names and the rows. Parquet files are
/// recognised by their "PAR1" magic; anything else is read as CSV with a header row.
/// </summary>
internal abstract class DatasetSource
{
    private static ReadOnlySpan<byte> ParquetMagic => "PAR1"u8;

    public abstract IReadOnlyList<string> FeatureNames { get; }

    public abstract IAsyncEnumerable<SourceRow> ReadRowsAsync(CancellationToken cancellationToken);

    public static async Task<DatasetSource> OpenAsync(string path, string labelColumn, CancellationToken cancellationToken)
    {
        var magic = new byte[ParquetMagic.Length];
        await using (var file = File.OpenRead(path))
        {
            await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken);
        }
        return magic.AsSpan().SequenceEqual(ParquetMagic)
            ? await ParquetSource.FromFileAsync(path, labelColumn, cancellationToken)
            : CsvSource.FromFile(path, labelColumn);
    }
}

/// <summary>A CSV file with a header row; every column but the label holds finite numbers.</summary>
internal sealed class CsvSource : DatasetSource
{
    private readonly string path;
    private readonly string[] header;
    private readonly int labelIndex;

    private CsvSource(string path, string[] header, int labelIndex) => (this.path, this.header, this.labelIndex) = (path, header, labelIndex);

    public override IReadOnlyList<string> FeatureNames => header.Where((_, column) => column != labelIndex).ToArray();

    public static CsvSource FromFile(string path, string labelColumn)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
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
        return new CsvSource(path, header, labelIndex);
    }

    public override async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        await reader.ReadLineAsync(cancellationToken);
        var lineNumber = 1;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
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
            yield return new SourceRow(row, cells[labelIndex], $"Line {lineNumber}");
        }
    }

    private static string[] SplitLine(string line) => line.Split(',').Select(cell => cell.Trim()).ToArray();
}

/// <summary>
/// A Parquet file read one row group at a time: numeric feature columns (float, double, integers; no nulls) and a
/// label column of any primitive type, which is read as text.
/// </summary>
internal sealed class ParquetSource : DatasetSource
{
    private readonly string path;
    private readonly DataField[] features;
    private readonly DataField label;

    private ParquetSource(string path, DataField[] features, DataField label) => (this.path, this.features, this.label) = (path, features, label);

    public override IReadOnlyList<string> FeatureNames => features.Select(feature => feature.Name).ToArray();

    public static async Task<ParquetSource> FromFileAsync(string path, string labelColumn, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        }
        catch (Exception exception) when (exception is IOException or InvalidDataException or NotSupportedException)
        {
            throw new TrainingDataException($"The file starts like Parquet but cannot be read as Parquet: {exception.Message}");
        }
        await using (reader)
        {
            var fields = reader.Schema.GetDataFields();
            var label = fields.FirstOrDefault(field => field.Name == labelColumn)
                ?? throw new TrainingDataException($"The Parquet schema has no column '{labelColumn}'; it has {string.Join(", ", fields.Select(field => field.Name))}.");
            var features = fields.Where(field => field != label).ToArray();
            if (features.Length == 0)
            {
                throw new TrainingDataException("The Parquet file needs at least one feature column besides the label.");
            }
            if (features.FirstOrDefault(field => field.IsArray || !IsNumeric(field.ClrType)) is { } other)
            {
                throw new TrainingDataException($"The Parquet column '{other.Name}' holds {TypeName(other)}; feature columns are numeric.");
            }
            return new ParquetSource(path, features, label);
        }
    }

    public override async IAsyncEnumerable<SourceRow> ReadRowsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        long firstRow = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var rowGroup = reader.OpenRowGroupReader(group);
            var rows = checked((int)rowGroup.RowCount);
            var columns = new float[features.Length][];
            for (var column = 0; column < features.Length; column++)
            {
                columns[column] = await ReadNumbersAsync(rowGroup, features[column], rows, firstRow, cancellationToken);
            }
            var labels = await ReadLabelsAsync(rowGroup, label, rows, firstRow, cancellationToken);
            for (var row = 0; row < rows; row++)
            {
                var values = new float[features.Length];
                for (var column = 0; column < features.Length; column++)
                {
                    values[column] = columns[column][row];
                }
                yield return new SourceRow(values, labels[row], $"Row {firstRow + row + 1}");
            }
            firstRow += rows;
        }
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(float) || type == typeof(double) || type == typeof(int) || type == typeof(long) ||
        type == typeof(short) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(ushort) || type == typeof(uint);

    private static Task<float[]> ReadNumbersAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, long firstRow, CancellationToken cancellationToken) =>
        field.ClrType switch
        {
            var type when type == typeof(float) => ReadAsync<float>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(double) => ReadAsync<double>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(int) => ReadAsync<int>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(long) => ReadAsync<long>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(short) => ReadAsync<short>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(byte) => ReadAsync<byte>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(sbyte) => ReadAsync<sbyte>(rowGroup, field, rows, firstRow, cancellationToken),
            var type when type == typeof(ushort) => ReadAsync<ushort>(rowGroup, field, rows, firstRow, cancellationToken),
            _ => ReadAsync<uint>(rowGroup, field, rows, firstRow, cancellationToken),
        };

    private static async Task<float[]> ReadAsync<T>(ParquetRowGroupReader rowGroup, DataField field, int rows, long firstRow, CancellationToken cancellationToken)
        where T : struct, System.Numerics.INumber<T>
    {
        var values = new float[rows];
        if (field.IsNullable)
        {
            var read = new T?[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken);
            for (var row = 0; row < rows; row++)
            {
                values[row] = read[row] is { } value ? float.CreateSaturating(value) : throw Missing(field, firstRow + row);
            }
        }
        else
        {
            var read = new T[rows];
            await rowGroup.ReadAsync(field, read.AsMemory(), null, cancellationToken);
            for (var row = 0; row < rows; row++)
            {
                values[row] = float.CreateSaturating(read[row]);
            }
        }
        for (var row = 0; row < rows; row++)
        {
            if (!float.IsFinite(values[row]))
            {
                throw new TrainingDataException($"Row {firstRow + row + 1}, column '{field.Name}': {values[row]} is not a finite number.");
            }
        }
        return values;
    }

    private static async Task<string[]> ReadLabelsAsync(ParquetRowGroupReader rowGroup, DataField field, int rows, long firstRow, CancellationToken cancellationToken)
    {
        if (IsText(field))
        {
            var text = new string?[rows];
            await rowGroup.ReadAsync(field, text.AsMemory(), null, cancellationToken);
            return text.Select((value, row) => value ?? throw Missing(field, firstRow + row)).ToArray();
        }
        if (IsNumeric(field.ClrType) && !field.IsArray)
        {
            var numbers = await ReadNumbersAsync(rowGroup, field, rows, firstRow, cancellationToken);
            return numbers.Select(number => number.ToString(CultureInfo.InvariantCulture)).ToArray();
        }
        throw new TrainingDataException($"The label column '{field.Name}' holds {TypeName(field)}; a label is text or a number.");
    }

    // Parquet.Net describes UTF-8 columns as ReadOnlyMemory<char> and reads them as strings.
    private static bool IsText(DataField field) =>
        !field.IsArray && (field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>));

    private static string TypeName(DataField field) =>
        field.IsArray ? $"lists of {field.ClrType.Name}" : IsText(field) ? "text" : field.ClrType.Name;

    private static TrainingDataException Missing(DataField field, long row) =>
        new($"Row {row + 1}, column '{field.Name}' is null; every cell needs a value.");
}
