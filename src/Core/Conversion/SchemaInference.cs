namespace PipelineOps.Conversion;

/// <summary>
/// Infers columns from every record of a file, so no field is dropped however late it first appears.
/// Rules, per field, over all non-null values:
///   only booleans                      -> Boolean
///   only integers that fit in Int64     -> Int64
///   integers and fractions              -> Double
///   the time field, all parseable times -> Timestamp (UTC, microseconds)
///   only arrays of one shape            -> List (depth 1) or list of lists (depth 2) of the leaves' kind, by the
///                                        same rules (booleans, Int64, Double, strings); empty and null arrays fit
///                                        any shape
///   other objects/arrays                -> Json (exact JSON text)
///   anything else (mixed kinds, strings, integers beyond Int64) -> String: strings as themselves, other values as
///                                        their exact JSON text, so nothing is lost or rounded.
///   only nulls                          -> String (all null)
/// Columns come in order of first appearance.
/// </summary>
public sealed class SchemaInference
{
    [Flags]
    private enum Seen
    {
        None = 0,
        Boolean = 1,
        Integer = 2,
        Float = 4,
        BigInteger = 8,
        String = 16,
        Nested = 32,
        Time = 64,
        NotTime = 128,
    }

    private readonly List<Seen> _seen = [];
    private readonly List<byte> _depth = [];
    private readonly List<LeafKinds> _leaves = [];

    private void Grow(int count)
    {
        while (_seen.Count < count)
        {
            _seen.Add(Seen.None);
            _depth.Add(0);
            _leaves.Add(LeafKinds.None);
        }
    }

    private void NoteArray(int field, byte depth, LeafKinds leaves)
    {
        var current = _depth[field];
        _depth[field] = depth == 0 ? current : current == 0 || current == depth ? depth : ArrayShape.Irregular;
        _leaves[field] |= leaves;
    }

    public void Observe(ReadOnlySpan<FieldValue> values, int timeFieldIndex)
    {
        Grow(values.Length);

        for (var i = 0; i < values.Length; i++)
        {
            ref readonly var value = ref values[i];
            var seen = value.Kind switch
            {
                ValueKind.True or ValueKind.False => Seen.Boolean,
                ValueKind.Integer => Seen.Integer,
                ValueKind.Float => Seen.Float,
                ValueKind.BigInteger => Seen.BigInteger,
                ValueKind.String => Seen.String,
                ValueKind.Nested => Seen.Nested,
                _ => Seen.None,
            };
            if (seen == Seen.None)
            {
                continue;
            }

            if (i == timeFieldIndex)
            {
                seen |= value.Time is null ? Seen.NotTime : Seen.Time;
            }

            if (value.Kind == ValueKind.Nested)
            {
                NoteArray(i, value.ArrayDepth, value.ArrayLeaves);
            }

            _seen[i] |= seen;
        }
    }

    /// <summary>Adds what another inference saw, whose fields are named <paramref name="otherNames"/>, given this
    /// inference's names (extended in place with names it had not seen, in the other's order).</summary>
    public void Merge(SchemaInference other, IReadOnlyList<string> otherNames, List<string> names)
    {
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        for (var i = 0; i < otherNames.Count; i++)
        {
            if (!index.TryGetValue(otherNames[i], out var mine))
            {
                index[otherNames[i]] = mine = names.Count;
                names.Add(otherNames[i]);
            }

            Grow(mine + 1);
            if (i < other._seen.Count)
            {
                _seen[mine] |= other._seen[i];
                NoteArray(mine, other._depth[i], other._leaves[i]);
            }
        }
    }

    public IReadOnlyList<ColumnSpec> Columns(IReadOnlyList<string> names, int timeFieldIndex)
    {
        var columns = new List<ColumnSpec>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var seen = i < _seen.Count ? _seen[i] : Seen.None;
            var kind = KindOf(seen, i == timeFieldIndex);
            columns.Add(kind == ColumnKind.Json && ListOf(i) is { } list ? list with { Name = names[i] } : new ColumnSpec(names[i], kind));
        }

        return columns;
    }

    /// <summary>The list column a field of only arrays becomes, or null when their shape is not stable.</summary>
    private ColumnSpec? ListOf(int field)
    {
        var depth = _depth[field];
        if (depth == ArrayShape.Irregular)
        {
            return null;
        }

        ColumnKind? element = _leaves[field] switch
        {
            LeafKinds.None or LeafKinds.String => ColumnKind.String,
            LeafKinds.Integer => ColumnKind.Int64,
            LeafKinds.Float or (LeafKinds.Integer | LeafKinds.Float) => ColumnKind.Double,
            LeafKinds.Boolean => ColumnKind.Boolean,
            _ => null, // mixed kinds or integers beyond Int64: keep the exact JSON text
        };
        return element is { } e ? new ColumnSpec("", ColumnKind.List, e, depth == 0 ? 1 : depth) : null;
    }

    private static ColumnKind KindOf(Seen seen, bool isTimeField)
    {
        if (isTimeField && seen.HasFlag(Seen.Time) && !seen.HasFlag(Seen.NotTime))
        {
            return ColumnKind.Timestamp;
        }

        var types = seen & ~(Seen.Time | Seen.NotTime);
        return types switch
        {
            Seen.Boolean => ColumnKind.Boolean,
            Seen.Integer => ColumnKind.Int64,
            Seen.Float or (Seen.Integer | Seen.Float) => ColumnKind.Double,
            Seen.Nested => ColumnKind.Json,
            _ => ColumnKind.String,
        };
    }
}
