using Parquet;

namespace PipelineOps.Conversion;

/// <summary>Reads a written Parquet file back and checks it holds what was written.</summary>
public static class OutputValidator
{
    /// <summary>Row count, columns, and (deep) that every column decodes and every time value lies in the date=
    /// partition the file is in.</summary>
    /// <exception cref="InvalidDataException">The file disagrees with what was written.</exception>
    public static void Check(string path, long expectedRows, IReadOnlyList<ColumnSpec> expectedColumns, string timeField)
    {
        var report = ParquetFileCheck.Inspect(path, deep: true, timeField);
        if (!report.IsValid)
        {
            throw new InvalidDataException($"validation: {report.Problem}");
        }

        var reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        try
        {
            Compare(path, reader, expectedRows, expectedColumns);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static void Compare(string path, ParquetReader reader, long expectedRows, IReadOnlyList<ColumnSpec> expectedColumns)
    {
        var rows = reader.RowGroups.Sum(g => g.RowCount);
        if (rows != expectedRows)
        {
            throw new InvalidDataException($"validation: '{path}' holds {rows} rows, {expectedRows} were written");
        }

        var names = reader.Schema.Fields.Select(f => f.Name).ToArray();
        if (!names.SequenceEqual(expectedColumns.Select(c => c.Name)))
        {
            throw new InvalidDataException($"validation: '{path}' has columns {string.Join(", ", names)}, " +
                                           $"expected {string.Join(", ", expectedColumns.Select(c => c.Name))}");
        }
    }
}
