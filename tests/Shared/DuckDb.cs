using DuckDB.NET.Data;

namespace PipelineOps.Tests.Shared;

/// <summary>DuckDB as an independent reader of what PipelineOps writes.</summary>
public static class DuckDb
{
    /// <summary>Runs a query; each row as an array of values (DBNull becomes null). The Parquet files it reads are
    /// then read again by Arrow's C++ reader and compared (<see cref="SecondReader"/>).</summary>
    public static List<object?[]> Query(string sql)
    {
        var rows = Run(sql);
        SecondReader.CheckFilesOf(sql);
        return rows;
    }

    /// <summary>Runs a query with DuckDB alone.</summary>
    internal static List<object?[]> Run(string sql)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static object? Scalar(string sql) => Query(sql).Single().Single();

    /// <summary>A dataset glob for read_parquet with Hive partition columns.</summary>
    public static string Dataset(string root) =>
        $"read_parquet('{root.Replace("'", "''", StringComparison.Ordinal)}/**/*.parquet', hive_partitioning = true, union_by_name = true)";
}
