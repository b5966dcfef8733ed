using System.Globalization;
using System.Text.RegularExpressions;
using Parquet;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>What Test-ParquetFile found in one file.</summary>
/// <param name="Path">The file.</param>
/// <param name="IsValid">Readable, and consistent with its partition.</param>
/// <param name="Rows">Rows in all row groups.</param>
/// <param name="RowGroups">Row groups.</param>
/// <param name="Columns">Column names.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="Problem">What is wrong, when it is not valid.</param>
public sealed record ParquetFileReport(string Path, bool IsValid, long Rows, int RowGroups, IReadOnlyList<string> Columns, long Length, string? Problem)
{
    /// <summary>Columns this file holds in another kind than its dataset's schema says (see <see cref="DatasetSchemaCheck"/>):
    /// files written before a widening. Empty when it agrees, or is not in a dataset with a schema.</summary>
    public IReadOnlyList<string> SchemaDifferences { get; init; } = [];

    public string Name => System.IO.Path.GetFileName(Path);

    public override string ToString() => Path;
}

/// <summary>
/// Checks an existing Parquet file: the footer and schema read, row groups add up, and with a deep check every
/// column of every row group decodes and every time value lies in the file's date= partition.
/// </summary>
public static partial class ParquetFileCheck
{
    [GeneratedRegex(@"(?:^|[\\/])date=(\d{4}-\d{2}-\d{2})(?:[\\/]|$)")]
    private static partial Regex DatePartition();

    public static ParquetFileReport Inspect(string path, bool deep, string timeField = "time", CancellationToken cancellationToken = default)
    {
        var length = new FileInfo(path).Length;
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(path, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or ParquetException or InvalidDataException or ArgumentException or NotSupportedException)
        {
            return new ParquetFileReport(path, false, 0, 0, [], length, "not a readable Parquet file: " + e.Message);
        }

        try
        {
            var columns = reader.Schema.Fields.Select(f => f.Name).ToArray();
            var rows = reader.RowGroups.Sum(g => g.RowCount);
            var problem = deep ? DeepCheck(path, reader, timeField, cancellationToken) : null;
            var root = DatasetSchemaCheck.DatasetRootOf(path);
            var differences = root is null ? [] : DatasetSchemaCheck.Differences(reader.Schema, DatasetSchema.Load(root).Columns);
            return new ParquetFileReport(path, problem is null, rows, reader.RowGroupCount, columns, length, problem)
            {
                SchemaDifferences = differences,
            };
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string? DeepCheck(string path, ParquetReader reader, string timeField, CancellationToken cancellationToken)
    {
        var partition = DatePartition().Match(path.Replace('\\', '/'));
        DateOnly? day = partition.Success ? DateOnly.ParseExact(partition.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
        var time = reader.Schema.DataFields.FirstOrDefault(f => f.Name == timeField && f is DateTimeDataField);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            foreach (var field in reader.Schema.DataFields)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    using var data = group.ReadRawColumnDataBaseAsync(field, cancellationToken).AsTask().GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is IOException or ParquetException or InvalidDataException or ArgumentException or IndexOutOfRangeException or NotSupportedException)
                {
                    return $"row group {g}, column {field.Name}: cannot be decoded ({e.Message})";
                }
            }

            if (time is not null && day is { } expected)
            {
                var values = new DateTime?[group.RowCount];
                group.ReadAsync<DateTime>(time, values.AsMemory(), cancellationToken: cancellationToken).AsTask().GetAwaiter().GetResult();
                foreach (var value in values)
                {
                    if (value is { } t && DateOnly.FromDateTime(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t) != expected)
                    {
                        return $"row group {g}: {timeField} {t:O} lies outside its partition date={expected:yyyy-MM-dd}";
                    }
                }
            }
        }

        return null;
    }
}
