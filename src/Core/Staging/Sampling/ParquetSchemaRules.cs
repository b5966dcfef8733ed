using PipelineOps.Conversion;

namespace PipelineOps.Staging.Sampling;

/// <summary>What a sample's schema must keep of its source's, judged on the footers' schema elements.</summary>
public static class ParquetSchemaRules
{
    private const int ListLogical = 3, ListConverted = 3, Repeated = 2;

    /// <summary>The first column under a LIST-annotated group that uses the legacy two-level structure (the repeated
    /// child is the element itself, or is named "array" or "*_tuple"), or null.</summary>
    public static string? LegacyList(IReadOnlyList<ParquetSchemaNode> schema)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            var node = schema[i];
            if (node.Type is not null || (node.LogicalType != ListLogical && node.ConvertedType != ListConverted))
            {
                continue;
            }

            if (i + 1 >= schema.Count)
            {
                return node.Name;
            }

            var child = schema[i + 1];
            if (node.Children != 1 || child.Repetition != Repeated || child.Type is not null || child.Children != 1
                || child.Name == "array" || child.Name == node.Name + "_tuple")
            {
                return node.Name;
            }
        }

        return null;
    }

    /// <summary>Compares the sample's schema elements with the source's.</summary>
    /// <returns>A note naming logical types or repetitions that were not kept, or null when everything was.</returns>
    /// <exception cref="UnsupportedParquetException">The structure differs (names, physical types, nesting).</exception>
    public static string? Compare(IReadOnlyList<ParquetSchemaNode> source, IReadOnlyList<ParquetSchemaNode> sample)
    {
        if (source.Count != sample.Count)
        {
            throw new UnsupportedParquetException($"the sample's schema has {sample.Count} elements where the source's has {source.Count}: its structure cannot be kept");
        }

        var lost = new List<string>();
        for (var i = 1; i < source.Count; i++)
        {
            var (a, b) = (source[i], sample[i]);
            if (a.Name != b.Name || a.Type != b.Type || a.Children != b.Children)
            {
                throw new UnsupportedParquetException($"the sample's schema differs from the source's at '{a.Name}' (written as '{b.Name}'): its structure cannot be kept");
            }

            if (a.LogicalType is { } logical && b.LogicalType != logical)
            {
                lost.Add($"{a.Name}: {LogicalName(logical)} logical type written as {(b.LogicalType is { } l ? LogicalName(l) : "plain " + PhysicalName(b.Type))}");
            }

            if (a.Repetition != b.Repetition)
            {
                lost.Add($"{a.Name}: {RepetitionName(a.Repetition)} written as {RepetitionName(b.Repetition)}");
            }
        }

        return lost.Count == 0 ? null : "types not kept in the sample: " + string.Join("; ", lost);
    }

    private static string RepetitionName(int? repetition) => repetition switch
    {
        0 => "REQUIRED",
        1 => "OPTIONAL",
        2 => "REPEATED",
        _ => "unset",
    };

    private static string PhysicalName(int? type) => type switch
    {
        0 => "BOOLEAN",
        1 => "INT32",
        2 => "INT64",
        3 => "INT96",
        4 => "FLOAT",
        5 => "DOUBLE",
        6 => "BYTE_ARRAY",
        7 => "FIXED_LEN_BYTE_ARRAY",
        _ => "group",
    };

    private static string LogicalName(int id) => id switch
    {
        1 => "STRING",
        2 => "MAP",
        3 => "LIST",
        4 => "ENUM",
        5 => "DECIMAL",
        6 => "DATE",
        7 => "TIME",
        8 => "TIMESTAMP",
        10 => "INTEGER",
        11 => "UNKNOWN",
        12 => "JSON",
        13 => "BSON",
        14 => "UUID",
        15 => "FLOAT16",
        16 => "VARIANT",
        17 => "GEOMETRY",
        18 => "GEOGRAPHY",
        _ => $"logical type {id}",
    };
}
