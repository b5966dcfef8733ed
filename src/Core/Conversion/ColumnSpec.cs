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

    /// <summary>Arrays of one stable shape: a Parquet LIST (Depth 1) or LIST of LIST (Depth 2) of Element.</summary>
    List,

    /// <summary>Objects whose values are all scalars: a Parquet STRUCT of Children (a missing key reads as null).</summary>
    Struct,
}

/// <summary>One column of the dataset's files.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Kind">How it is written.</param>
/// <param name="Element">For lists: the kind of the leaf values (Boolean, Int64, Double or String).</param>
/// <param name="Depth">For lists: 1 for a list, 2 for a list of lists.</param>
/// <param name="Children">For structs: the fields, in order of first appearance.</param>
public sealed record ColumnSpec(string Name, ColumnKind Kind, ColumnKind Element = ColumnKind.String, int Depth = 0,
    IReadOnlyList<ColumnSpec>? Children = null)
{
    /// <summary>Whether two column lists describe the same file schema, struct children included, in order.</summary>
    public static bool SameSchema(IReadOnlyList<ColumnSpec> a, IReadOnlyList<ColumnSpec> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.SameAs(p.Second));

    private bool SameAs(ColumnSpec other) =>
        Name == other.Name && Kind == other.Kind && Element == other.Element && Depth == other.Depth
        && (Children is null ? other.Children is null : other.Children is not null && SameSchema(Children, other.Children));
}
