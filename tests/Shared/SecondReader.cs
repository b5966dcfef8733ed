using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using ParquetSharp;

namespace PipelineOps.Tests.Shared;

/// <summary>
/// Every Parquet file that PipelineOps wrote and a test reads with DuckDB is read again with Apache Arrow's C++ reader
/// (ArrowCpp): every page of every column decoded, the row count, and each flat column's values row by row against
/// DuckDB's reading of the same file. So a file that only DuckDB reads correctly fails the test that made it.
/// </summary>
internal static partial class SecondReader
{
    private static readonly ConcurrentDictionary<(string Path, long Length, DateTime Written), bool> Checked = new();

    [GeneratedRegex(@"read_parquet\(\s*'((?:[^']|'')*)'")]
    private static partial Regex ReadParquet();

    /// <summary>Checks the files named by each read_parquet('...') of a query DuckDB has just run.</summary>
    public static void CheckFilesOf(string sql)
    {
        foreach (Match match in ReadParquet().Matches(sql))
        {
            foreach (var file in Expand(match.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)))
            {
                var info = new FileInfo(file);
                if (Checked.TryAdd((info.FullName, info.Length, info.LastWriteTimeUtc), true))
                {
                    Check(info.FullName);
                }
            }
        }
    }

    private static IEnumerable<string> Expand(string pattern)
    {
        var recursive = pattern.IndexOf("/**", StringComparison.Ordinal);
        if (recursive >= 0)
        {
            var root = pattern[..recursive];
            return Directory.Exists(root)
                ? Directory.EnumerateFiles(root, "*.parquet", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.'))
                : [];
        }

        if (pattern.Contains('*', StringComparison.Ordinal))
        {
            var directory = Path.GetDirectoryName(pattern)!;
            return Directory.Exists(directory) ? Directory.EnumerateFiles(directory, Path.GetFileName(pattern)) : [];
        }

        return File.Exists(pattern) ? [pattern] : [];
    }

    private static void Check(string file)
    {
        List<(string Name, PhysicalType Type)> flat;
        long rows;
        using (var reader = new ParquetFileReader(file))
        {
            if (!reader.FileMetaData.CreatedBy.StartsWith("parquet.net", StringComparison.OrdinalIgnoreCase))
            {
                return; // another writer's file, used as input by a test
            }

            rows = reader.FileMetaData.NumRows;
            var schema = reader.FileMetaData.Schema;
            flat = Enumerable.Range(0, schema.NumColumns).Select(schema.Column)
                .Where(c => !c.Path.ToDotString().Contains('.', StringComparison.Ordinal) && c.MaxRepetitionLevel == 0)
                .Where(c => c.PhysicalType is PhysicalType.Boolean or PhysicalType.Double or PhysicalType.Int64
                    || (c.PhysicalType is PhysicalType.ByteArray && c.LogicalType is StringLogicalType or JsonLogicalType))
                .Select(c => (c.Path.ToDotString(), c.PhysicalType))
                .ToList();
        }

        _ = ArrowCpp.Chunks(file); // decodes every page of every leaf column, nested ones included
        var source = $"read_parquet('{file.Replace("'", "''", StringComparison.Ordinal)}', hive_partitioning = false)";
        var duckRows = Convert.ToInt64(DuckDb.Run($"select count(*) from {source}").Single()[0], CultureInfo.InvariantCulture);
        if (duckRows != rows)
        {
            throw new InvalidDataException($"{file}: Arrow C++ counts {rows} rows, DuckDB {duckRows}");
        }

        foreach (var (name, _) in flat)
        {
            var arrow = ArrowCpp.Column(file, name);
            var duck = DuckDb.Run($"select \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" from {source}");
            for (var i = 0; i < arrow.Count; i++)
            {
                if (!Equals(Normal(arrow[i]), Normal(duck[i][0])))
                {
                    throw new InvalidDataException(
                        $"{file}: column {name}, row {i}: Arrow C++ reads '{arrow[i]}', DuckDB reads '{duck[i][0]}'");
                }
            }
        }
    }

    // The two readers hand the same value over as different .NET types (DateTime or DateTimeOffset, int or long).
    private static object? Normal(object? value) => value switch
    {
        null => null,
        DateTime d => (d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : d).Ticks,
        DateTimeOffset o => o.UtcTicks,
        int i => (long)i,
        double d => BitConverter.DoubleToInt64Bits(d),
        _ => value,
    };
}
