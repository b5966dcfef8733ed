using System.Text.Json;
using System.Text.Json.Serialization;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// One schema for the whole dataset, kept beside the ledger (_pipelineops/schema.json), so that every day's files
/// agree and readers that combine them (DuckDB's union_by_name) never have to cast one file's column into another's.
/// Each file's columns are merged in and the file is written in the result: a column the dataset has and the file
/// lacks is all null in it; a new column is added at the end. Where kinds disagree the column widens, in these steps
/// only, each of which keeps every value exact:
///   Int64 and Double                         -> Double
///   lists of one depth with different leaves -> a list of text (numbers and booleans as their JSON text)
///   structs                                  -> a struct of both children, each widened by these rules
///   lists of different depths, or nested values of different shapes -> JSON text
///   any other difference                     -> String (strings as themselves, other values as their JSON text)
/// A widening changes the column in files written from then on; earlier files keep their kind, which the result
/// reports (SchemaChanges) and <see cref="ParquetFileCheck"/> shows file by file.
/// </summary>
public sealed class DatasetSchema
{
    private readonly string _path;
    private readonly object _gate = new();
    private List<ColumnSpec> _columns;
    private HashSet<string> _untyped; // columns only ever seen null: placed, but their kind not yet known

    private DatasetSchema(string path, StoredSchema stored)
    {
        _path = path;
        _columns = stored.Columns;
        _untyped = new HashSet<string>(stored.Untyped, StringComparer.Ordinal);
    }

    public static string PathFor(string destination) => Path.Combine(destination, "_pipelineops", "schema.json");

    /// <summary>The dataset's columns, in order; empty before its first file.</summary>
    public IReadOnlyList<ColumnSpec> Columns
    {
        get
        {
            lock (_gate)
            {
                return _columns.ToArray();
            }
        }
    }

    /// <exception cref="InvalidDataException">The schema file cannot be read.</exception>
    public static DatasetSchema Load(string destination)
    {
        var path = PathFor(destination);
        if (!File.Exists(path))
        {
            return new DatasetSchema(path, new StoredSchema([], []));
        }

        try
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(path), SchemaJson.Default.StoredSchema) ?? new StoredSchema([], []);
            return new DatasetSchema(path, stored);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The dataset schema '{path}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// Merges a file's columns into the dataset's and returns the columns to write the file in, with what changed for
    /// columns earlier files have (empty when nothing did). The widened schema is saved before the file is written.
    /// A column the file only had nulls in (<paramref name="nullOnly"/>) says nothing of its kind: a new one is placed
    /// (so columns keep their order of first appearance) but takes its kind from the first file with a value.
    /// </summary>
    public (IReadOnlyList<ColumnSpec> Columns, IReadOnlyList<string> Changes) Merge(IReadOnlyList<ColumnSpec> file, IReadOnlySet<string> nullOnly)
    {
        lock (_gate)
        {
            var merged = _columns.ToList();
            var untyped = _untyped.ToHashSet(StringComparer.Ordinal);
            var changes = new List<string>();
            foreach (var column in file)
            {
                var at = merged.FindIndex(c => c.Name == column.Name);
                if (at < 0)
                {
                    merged.Add(column);
                    if (nullOnly.Contains(column.Name))
                    {
                        untyped.Add(column.Name);
                    }

                    continue;
                }

                if (nullOnly.Contains(column.Name))
                {
                    continue;
                }

                if (untyped.Remove(column.Name))
                {
                    merged[at] = column; // its first values
                    continue;
                }

                var widened = Widen(merged[at], column);
                if (!ColumnSpec.SameSchema([widened], [merged[at]]))
                {
                    changes.Add($"column '{column.Name}' widened from {Describe(merged[at])} to {Describe(widened)}: files written before keep {Describe(merged[at])}");
                    merged[at] = widened;
                }
            }

            if (!ColumnSpec.SameSchema(merged, _columns) || !untyped.SetEquals(_untyped))
            {
                var stored = new StoredSchema(merged, [.. untyped.Order(StringComparer.Ordinal)]);
                Durable.WriteAllBytes(_path, JsonSerializer.SerializeToUtf8Bytes(stored, SchemaJson.Default.StoredSchema));
                (_columns, _untyped) = (merged, untyped);
            }

            return (merged, changes);
        }
    }

    /// <summary>The one column both kinds fit in (see the class's rules).</summary>
    public static ColumnSpec Widen(ColumnSpec a, ColumnSpec b)
    {
        if (ColumnSpec.SameSchema([a], [b]))
        {
            return a;
        }

        var name = a.Name;
        return (a.Kind, b.Kind) switch
        {
            (ColumnKind.Int64, ColumnKind.Double) or (ColumnKind.Double, ColumnKind.Int64) => new ColumnSpec(name, ColumnKind.Double),
            (ColumnKind.List, ColumnKind.List) when a.Depth == b.Depth =>
                new ColumnSpec(name, ColumnKind.List, WidenLeaf(a.Element, b.Element), a.Depth),
            (ColumnKind.Struct, ColumnKind.Struct) => new ColumnSpec(name, ColumnKind.Struct, Children: WidenChildren(a.Children!, b.Children!)),
            (ColumnKind.List or ColumnKind.Struct or ColumnKind.Json, ColumnKind.List or ColumnKind.Struct or ColumnKind.Json) =>
                new ColumnSpec(name, ColumnKind.Json),
            _ => new ColumnSpec(name, ColumnKind.String),
        };
    }

    private static ColumnKind WidenLeaf(ColumnKind a, ColumnKind b) =>
        a == b ? a : (a, b) is (ColumnKind.Int64, ColumnKind.Double) or (ColumnKind.Double, ColumnKind.Int64) ? ColumnKind.Double : ColumnKind.String;

    private static List<ColumnSpec> WidenChildren(IReadOnlyList<ColumnSpec> a, IReadOnlyList<ColumnSpec> b)
    {
        var children = a.ToList();
        foreach (var child in b)
        {
            var at = children.FindIndex(c => c.Name == child.Name);
            if (at < 0)
            {
                children.Add(child);
            }
            else
            {
                var widened = Widen(children[at], child);
                children[at] = widened.Kind is ColumnKind.Json or ColumnKind.List or ColumnKind.Struct
                    ? widened with { Kind = ColumnKind.String } // a struct's children are scalars
                    : widened;
            }
        }

        return children;
    }

    /// <summary>A column's kind as a reader sees it: Int64, list of String, list of lists of Double, struct(a Int64, b String).</summary>
    public static string Describe(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.List => (column.Depth == 2 ? "list of lists of " : "list of ") + column.Element,
        ColumnKind.Struct => $"struct({string.Join(", ", column.Children!.Select(c => $"{c.Name} {Describe(c)}"))})",
        _ => column.Kind.ToString(),
    };
}

/// <summary>What schema.json holds: the columns in order, and those whose kind no value has shown yet.</summary>
internal sealed record StoredSchema(List<ColumnSpec> Columns, List<string> Untyped);

/// <summary>The dataset schema's JSON, generated at compile time.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StoredSchema))]
internal sealed partial class SchemaJson : JsonSerializerContext;
