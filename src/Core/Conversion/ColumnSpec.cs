namespace PipelineOps.Conversion;

/// <summary>The Parquet type a column is written as.</summary>
public enum ColumnKind
{
    Boolean,
    Int64,
    Double,
    String,

    /// <summary>UTC timestamp, microsecond precision.</summary>
    Timestamp,

    /// <summary>Nested objects or arrays, as their exact JSON text.</summary>
    Json,
}

/// <summary>One column of the dataset's files.</summary>
public sealed record ColumnSpec(string Name, ColumnKind Kind);
