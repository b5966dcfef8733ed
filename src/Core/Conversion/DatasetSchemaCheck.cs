using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// How one file of a dataset differs from the dataset's schema (see <see cref="DatasetSchema"/>): the columns whose
/// kind it holds differently, as files written before a widening do. A column the file lacks is not a difference
/// (readers see nulls); text and JSON text are one kind on disk.
/// </summary>
public static class DatasetSchemaCheck
{
    /// <summary>The dataset root a file lies in: the nearest folder above it with _pipelineops/schema.json.</summary>
    public static string? DatasetRootOf(string file)
    {
        for (var folder = Path.GetDirectoryName(Path.GetFullPath(file)); folder is not null; folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(DatasetSchema.PathFor(folder)))
            {
                return folder;
            }
        }

        return null;
    }

    /// <summary>"column 'seq' is Int64 here, Double in the dataset schema", one per column that differs.</summary>
    public static IReadOnlyList<string> Differences(ParquetSchema file, IReadOnlyList<ColumnSpec> dataset)
    {
        var differences = new List<string>();
        foreach (var field in file.Fields)
        {
            var expected = dataset.FirstOrDefault(c => c.Name == field.Name);
            var actual = KindOf(field);
            if (expected is not null && actual != Normal(expected))
            {
                differences.Add($"column '{field.Name}' is {actual} here, {Normal(expected)} in the dataset schema");
            }
        }

        return differences;
    }

    private static string Normal(ColumnSpec column) =>
        DatasetSchema.Describe(column.Kind == ColumnKind.Json ? column with { Kind = ColumnKind.String }
            : column.Kind == ColumnKind.Struct ? column with { Children = column.Children!.Select(c => c.Kind == ColumnKind.Json ? c with { Kind = ColumnKind.String } : c).ToArray() }
            : column);

    private static string KindOf(Field field) => field switch
    {
        ListField { Item: ListField { Item: DataField leaf } } => "list of lists of " + Scalar(leaf),
        ListField { Item: DataField leaf } => "list of " + Scalar(leaf),
        StructField s => $"struct({string.Join(", ", s.Fields.Select(c => $"{c.Name} {(c is DataField d ? Scalar(d) : "?")}"))})",
        DataField leaf => Scalar(leaf),
        _ => field.SchemaType.ToString(),
    };

    private static string Scalar(DataField leaf) => leaf.ClrType switch
    {
        var t when t == typeof(long) => nameof(ColumnKind.Int64),
        var t when t == typeof(double) => nameof(ColumnKind.Double),
        var t when t == typeof(bool) => nameof(ColumnKind.Boolean),
        var t when t == typeof(DateTime) => nameof(ColumnKind.Timestamp),
        _ => nameof(ColumnKind.String),
    };
}
