using System.Globalization;
using System.Text.RegularExpressions;
using Parquet;
using Parquet.Schema;
using PipelineOps.IO;

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
    public IReadOnlyList<string> Columns { get; init; } = JoinedList<string>.Of(Columns);

    /// <summary>Valid, or why not: Damaged, Unsupported (this reader lacks a feature the file uses, named in Problem, or
    /// the file declares more memory than the budget), Encrypted, or Unreadable (not a regular file, cannot be opened).</summary>
    public ParquetFileStatus Status { get; init; } = IsValid ? ParquetFileStatus.Valid : ParquetFileStatus.Damaged;

    /// <summary>Columns this file holds in another kind than its dataset's schema says (see <see cref="DatasetSchemaCheck"/>):
    /// files written before a widening. Empty when it agrees, or is not in a dataset with a schema.</summary>
    public IReadOnlyList<string> SchemaDifferences { get; init => field = JoinedList<string>.Of(value); } = JoinedList<string>.Of(null);

    /// <summary>Rows whose time field was not a time when they were converted, filed by the date in the source's name
    /// (-BadTimePolicy FileDate), as the file's footer records them: the file is sound, but these rows' dates are guesses.</summary>
    public long BadTimes { get; init; }

    public string Name => System.IO.Path.GetFileName(Path);

    public override string ToString() => Path;
}

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum ParquetFileStatus
{
    Valid,
    Damaged,
    Unsupported,
    Encrypted,
    Unreadable,
}

/// <summary>
/// Checks an existing Parquet file: the footer and schema read, row groups add up, and with a deep check every
/// column of every row group decodes and every time value lies in the file's date= partition. The footer's declared
/// sizes are checked first by a reader of its own (<see cref="ParquetFooter"/>), so a small file claiming gigabytes is
/// refused before Parquet.Net allocates them. Any failure, of any exception type, is the file's report, not an exception.
/// </summary>
public static partial class ParquetFileCheck
{
    /// <summary>Memory a deep check may spend on one column chunk or page, as declared in the file.</summary>
    public const long DefaultMaxMemoryBytes = 512L << 20;

    private const long MaxFooterBytes = 64L << 20;

    [GeneratedRegex(@"(?:^|[\\/])date=(\d{4}-\d{2}-\d{2})(?:[\\/]|$)")]
    private static partial Regex DatePartition();

    public static ParquetFileReport Inspect(string path, bool deep, string timeField = "time", CancellationToken cancellationToken = default) =>
        Inspect(path, deep, timeField, followLinks: true, cancellationToken);

    /// <param name="followLinks">False: a symbolic link is reported, not followed.</param>
    /// <param name="within">A canonical folder the file must lie in, with one name only (a hard link's other name may
    /// lie anywhere): what a folder walk without -FollowSymlink checks; null for a file the user named.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">It cannot be opened.</exception>
    public static ParquetFileReport Inspect(string path, bool deep, string timeField, bool followLinks, CancellationToken cancellationToken,
        long maxMemoryBytes = DefaultMaxMemoryBytes, string? within = null)
    {
        OpenedFile opened;
        try
        {
            opened = OpenedFile.Open(path, followLinks, within);
        }
        catch (Exception e) when (e is NotRegularFileException or OutsideFolderException)
        {
            return new ParquetFileReport(path, false, 0, 0, [], 0, e.Message) { Status = ParquetFileStatus.Unreadable };
        }

        using (opened)
        {
            return Inspect(path, opened.Stream, opened.Info.Length, deep, timeField, maxMemoryBytes, cancellationToken);
        }
    }

    private static ParquetFileReport Inspect(string path, FileStream stream, long length, bool deep, string timeField, long maxMemoryBytes,
        CancellationToken cancellationToken)
    {
        ParquetFooter footer;
        try
        {
            footer = ParquetFooter.Read(stream, MaxFooterBytes);
        }
        catch (EncryptedParquetException e)
        {
            return new ParquetFileReport(path, false, 0, 0, [], length, e.Message) { Status = ParquetFileStatus.Encrypted };
        }
        catch (NotSupportedException e)
        {
            return new ParquetFileReport(path, false, 0, 0, [], length, "unsupported: " + e.Message) { Status = ParquetFileStatus.Unsupported };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new ParquetFileReport(path, false, 0, 0, [], length, "not a readable Parquet file: " + e.Message);
        }

        if (footer.EncryptedColumns)
        {
            return new ParquetFileReport(path, false, footer.Rows, footer.RowGroups.Count, [], length,
                "encrypted Parquet (plaintext footer, encrypted columns): its data cannot be read without its keys") { Status = ParquetFileStatus.Encrypted };
        }

        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(stream, leaveStreamOpen: true, cancellationToken: cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unreadable(path, footer, length, "not a readable Parquet file: " + e.Message, e);
        }

        try
        {
            var columns = reader.Schema.Fields.Select(f => f.Name).ToArray();
            var rows = reader.RowGroups.Sum(g => g.RowCount);
            var differences = SchemaDifferencesOf(path, reader);
            var badTimes = BadTimesOf(reader);
            if (!deep)
            {
                return new ParquetFileReport(path, true, rows, reader.RowGroupCount, columns, length, null) { SchemaDifferences = differences, BadTimes = badTimes };
            }

            try
            {
                footer.CheckPages(stream, Enumerable.Range(0, footer.RowGroups.Count), maxMemoryBytes, cancellationToken);
            }
            catch (OverBudgetException e)
            {
                return new ParquetFileReport(path, false, rows, reader.RowGroupCount, columns, length, "unsupported: not decoded: " + e.Message)
                    { Status = ParquetFileStatus.Unsupported };
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                return new ParquetFileReport(path, false, rows, reader.RowGroupCount, columns, length, e.Message);
            }

            var (problem, status) = DeepCheck(path, stream, footer, reader, timeField, cancellationToken);
            return new ParquetFileReport(path, problem is null, rows, reader.RowGroupCount, columns, length, problem)
            {
                Status = status, SchemaDifferences = differences, BadTimes = badTimes,
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unreadable(path, footer, length, "cannot be read: " + e.Message, e);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // A dataset's schema file that cannot be read must not make its files look damaged: no differences are reported.
    private static IReadOnlyList<string> SchemaDifferencesOf(string path, ParquetReader reader)
    {
        try
        {
            var root = DatasetSchemaCheck.DatasetRootOf(path);
            return root is null ? [] : DatasetSchemaCheck.Differences(reader.Schema, DatasetSchema.Load(root).Columns);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static ParquetFileReport Unreadable(string path, ParquetFooter footer, long length, string problem, Exception e) =>
        new(path, false, footer.Rows, footer.RowGroups.Count, [], length, problem)
        {
            Status = e is NotSupportedException ? ParquetFileStatus.Unsupported : ParquetFileStatus.Damaged,
        };

    private static (string? Problem, ParquetFileStatus Status) DeepCheck(string path, Stream stream, ParquetFooter footer, ParquetReader reader,
        string timeField, CancellationToken cancellationToken)
    {
        var partition = DatePartition().Match(path.Replace('\\', '/'));
        DateOnly? day = partition.Success ? DateOnly.ParseExact(partition.Groups[1].Value, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null;
        var time = reader.Schema.DataFields.FirstOrDefault(f => f.Name == timeField && f is DateTimeDataField);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var fields = reader.Schema.DataFields;
            for (var c = 0; c < fields.Length; c++)
            {
                var field = fields[c];
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    using var data = group.ReadRawColumnDataBaseAsync(field, cancellationToken).AsTask().GetAwaiter().GetResult();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    return Undecodable(stream, footer, g, c, field.Name, e);
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
                        return ($"row group {g}: {timeField} {t:O} lies outside its partition date={expected:yyyy-MM-dd}", ParquetFileStatus.Damaged);
                    }
                }
            }
        }

        return (null, ParquetFileStatus.Valid);
    }

    private static long BadTimesOf(ParquetReader reader) =>
        reader.CustomMetadata.TryGetValue(PartitionWriter.BadTimesKey, out var text)
        && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 0;

    /// <summary>Why a column does not decode: a feature this reader lacks (named), or damage.</summary>
    private static (string, ParquetFileStatus) Undecodable(Stream stream, ParquetFooter footer, int group, int column, string name, Exception e)
    {
        var features = Array.Empty<string>();
        if (group < footer.RowGroups.Count && column < footer.RowGroups[group].Columns.Count)
        {
            var chunk = footer.RowGroups[group].Columns[column];
            features = [.. ParquetFeatures.Of(chunk, footer.PageTypes(stream, group, column))];
        }

        return features.Length > 0 || e is NotSupportedException
            ? ($"unsupported: row group {group}, column {name} uses {(features.Length > 0 ? string.Join(", ", features) : "a feature")}, " +
               $"which this reader cannot decode ({e.Message})", ParquetFileStatus.Unsupported)
            : ($"row group {group}, column {name}: cannot be decoded ({e.GetType().Name}: {e.Message})", ParquetFileStatus.Damaged);
    }
}
