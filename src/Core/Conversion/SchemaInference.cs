namespace PipelineOps.Conversion;

/// <summary>
/// Infers columns from every record of a file, so no field is dropped however late it first appears.
/// Rules, per field, over all non-null values:
///   only booleans                      -> Boolean
///   only integers that fit in Int64     -> Int64
///   integers and fractions              -> Double
///   the time field, all parseable times -> Timestamp (UTC, microseconds)
///   only objects/arrays                 -> Json (exact JSON text)
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

    public void Observe(ReadOnlySpan<FieldValue> values, int timeFieldIndex)
    {
        while (_seen.Count < values.Length)
        {
            _seen.Add(Seen.None);
        }

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

            while (_seen.Count <= mine)
            {
                _seen.Add(Seen.None);
            }

            _seen[mine] |= i < other._seen.Count ? other._seen[i] : Seen.None;
        }
    }

    public IReadOnlyList<ColumnSpec> Columns(IReadOnlyList<string> names, int timeFieldIndex)
    {
        var columns = new List<ColumnSpec>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var seen = i < _seen.Count ? _seen[i] : Seen.None;
            columns.Add(new ColumnSpec(names[i], KindOf(seen, i == timeFieldIndex)));
        }

        return columns;
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
