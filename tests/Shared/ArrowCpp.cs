using System.Runtime.InteropServices;
using ParquetSharp;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// Apache Arrow's C++ Parquet reader (through ParquetSharp), the one pyarrow and pandas use: a second independent
/// reader of what PipelineOps writes, beside DuckDB.
/// </summary>
public static class ArrowCpp
{
    /// <summary>One leaf column of one row group: what its statistics say, and what its values are.</summary>
    /// <param name="Path">The column's dotted path (changes.list.element.list.element).</param>
    /// <param name="StatsTrusted">Whether the reader trusts the statistics (IsStatsSet: set, and from a writer
    /// without known bugs for this type).</param>
    /// <param name="Min">The minimum statistic: long, double, bool or string (UTF-8), null when absent.</param>
    /// <param name="Values">The non-null leaf values, decoded from the pages.</param>
    public sealed record LeafChunk(string Path, string LogicalType, bool StatsTrusted, long? NullCount, object? Min, object? Max,
        IReadOnlyList<object> Values);

    /// <summary>Every leaf column chunk of every row group of a file.</summary>
    public static List<LeafChunk> Chunks(string file)
    {
        using var reader = new ParquetFileReader(file);
        var chunks = new List<LeafChunk>();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            for (var c = 0; c < reader.FileMetaData.NumColumns; c++)
            {
                using var column = group.Column(c);
                var meta = group.MetaData.GetColumnChunkMetaData(c);
                var descriptor = column.ColumnDescriptor;
                using var statistics = meta.Statistics;
                var (min, max) = statistics is { HasMinMax: true } ? MinMax(statistics) : (null, null);
                chunks.Add(new LeafChunk(descriptor.Path.ToDotString(), descriptor.LogicalType.ToString(), meta.IsStatsSet,
                    statistics?.NullCount, min, max, Values(column, group.MetaData.NumRows)));
            }
        }

        return chunks;
    }

    /// <summary>Each leaf column chunk's encodings, by row group: "product_id" -> ["RleDictionary", "Plain", ...].</summary>
    public static List<(string Path, int RowGroup, string[] Encodings)> Encodings(string file)
    {
        using var reader = new ParquetFileReader(file);
        var found = new List<(string, int, string[])>();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            for (var c = 0; c < reader.FileMetaData.NumColumns; c++)
            {
                var meta = group.MetaData.GetColumnChunkMetaData(c);
                found.Add((reader.FileMetaData.Schema.Column(c).Path.ToDotString(), g, meta.Encodings.Select(e => e.ToString()).ToArray()));
            }
        }

        return found;
    }

    /// <summary>The file's leaf columns as dotted paths with their logical and physical types.</summary>
    public static List<string> Schema(string file)
    {
        using var reader = new ParquetFileReader(file);
        var schema = reader.FileMetaData.Schema;
        return Enumerable.Range(0, schema.NumColumns)
            .Select(i => schema.Column(i))
            .Select(d => $"{d.Path.ToDotString()}: {d.LogicalType} {d.PhysicalType}")
            .ToList();
    }

    /// <summary>A flat column's values in row order (DateTime for timestamps, string for text), nulls included.</summary>
    public static List<object?> Column(string file, string name)
    {
        using var reader = new ParquetFileReader(file);
        var schema = reader.FileMetaData.Schema;
        var index = Enumerable.Range(0, schema.NumColumns).Single(i => schema.Column(i).Path.ToDotString() == name);
        var values = new List<object?>();
        for (var g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            using var column = group.Column(index);
            var rows = group.MetaData.NumRows;
            var required = column.ColumnDescriptor.MaxDefinitionLevel == 0;
            values.AddRange(column.ColumnDescriptor.PhysicalType switch
            {
                PhysicalType.Boolean => required ? All<bool>(column, rows) : All<bool?>(column, rows),
                PhysicalType.Double => required ? All<double>(column, rows) : All<double?>(column, rows),
                PhysicalType.Int64 when column.ColumnDescriptor.LogicalType is TimestampLogicalType =>
                    required ? All<DateTime>(column, rows) : All<DateTime?>(column, rows),
                PhysicalType.Int64 => required ? All<long>(column, rows) : All<long?>(column, rows),
                _ => All<string?>(column, rows),
            });
        }

        return values;
    }

    // A REQUIRED column is read with the non-nullable element type, an OPTIONAL one with the nullable one.
    private static IEnumerable<object?> All<T>(ColumnReader column, long rows) =>
        column.LogicalReader<T>().ReadAll((int)rows).Cast<object?>();

    private static (object? Min, object? Max) MinMax(Statistics statistics) => statistics switch
    {
        Statistics<long> s => (s.Min, s.Max),
        Statistics<double> s => (s.Min, s.Max),
        Statistics<bool> s => (s.Min, s.Max),
        Statistics<int> s => ((long)s.Min, (long)s.Max),
        Statistics<float> s => ((double)s.Min, (double)s.Max),
        Statistics<ByteArray> s => (Utf8(s.Min), Utf8(s.Max)),
        _ => (null, null), // INT96 and fixed-length statistics: no test reads them
    };

    private static string Utf8(ByteArray bytes)
    {
        var copy = new byte[bytes.Length];
        if (bytes.Length > 0)
        {
            Marshal.Copy(bytes.Pointer, copy, 0, bytes.Length);
        }

        return System.Text.Encoding.UTF8.GetString(copy);
    }

    private static string Hex(FixedLenByteArray bytes, int length)
    {
        var copy = new byte[length];
        if (length > 0)
        {
            Marshal.Copy(bytes.Pointer, copy, 0, length);
        }

        return Convert.ToHexString(copy);
    }

    private static List<object> Values(ColumnReader column, long rows)
    {
        var values = new List<object>();
        var definitions = new short[1024];
        var repetitions = new short[1024];
        switch (column)
        {
            case ColumnReader<long> typed:
                Read(typed, definitions, repetitions, values, v => v);
                break;
            case ColumnReader<double> typed:
                Read(typed, definitions, repetitions, values, v => v);
                break;
            case ColumnReader<bool> typed:
                Read(typed, definitions, repetitions, values, v => v);
                break;
            case ColumnReader<ByteArray> typed:
                Read(typed, definitions, repetitions, values, v => Utf8(v));
                break;
            case ColumnReader<int> typed:
                Read(typed, definitions, repetitions, values, v => (long)v);
                break;
            case ColumnReader<float> typed:
                Read(typed, definitions, repetitions, values, v => (double)v);
                break;
            case ColumnReader<Int96> typed:
                Read(typed, definitions, repetitions, values, v => v.ToString());
                break;
            case ColumnReader<FixedLenByteArray> typed:
                var length = typed.ColumnDescriptor.TypeLength;
                Read(typed, definitions, repetitions, values, v => Hex(v, length));
                break;
            default:
                throw new NotSupportedException(column.GetType().Name);
        }

        return values;
    }

    private static void Read<T>(ColumnReader<T> reader, short[] definitions, short[] repetitions, List<object> values, Func<T, object> box)
        where T : unmanaged
    {
        var batch = new T[1024];
        while (reader.HasNext)
        {
            reader.ReadBatch(batch.Length, definitions, repetitions, batch, out var read);
            for (var i = 0; i < read; i++)
            {
                values.Add(box(batch[i]));
            }
        }
    }
}
