using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PipelineOps.Conversion;

/// <summary>
/// Infers columns from every record of a file, so no field is dropped however late it first appears.
/// Rules, per field, over all non-null values:
///   only booleans                      -> Boolean
///   only integers that fit in Int64     -> Int64
///   integers and fractions              -> Double
///   the time field, all parseable times -> Timestamp (UTC, microseconds)
///   only arrays of one shape            -> List (depth 1) or list of lists (depth 2) of the leaves' kind, by the
///                                        same rules (booleans, Int64, Double, strings; leaves of mixed kinds make
///                                        a list of text, numbers and booleans as their JSON text); empty and null
///                                        arrays fit any shape
///   only objects whose values are all scalars -> Struct, each child typed by the same rules (a key missing from
///                                        an object reads as null)
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
        Array = 256,        // nested values: arrays,
        FlatObject = 512,   // objects of scalars only,
        DeepObject = 1024,  // other objects
    }

    private const Seen NestedKinds = Seen.Array | Seen.FlatObject | Seen.DeepObject;

    private readonly List<Seen> _seen = [];
    private readonly List<byte> _arrayDepth = [];   // 0 (none yet, or only empty arrays), 1, 2, or Irregular
    private readonly List<LeafKinds> _leaves = [];
    private readonly List<ObjectShape?> _objects = [];

    private void Grow(int count)
    {
        while (_seen.Count < count)
        {
            _seen.Add(Seen.None);
            _arrayDepth.Add(0);
            _leaves.Add(LeafKinds.None);
            _objects.Add(null);
        }
    }

    /// <summary>Notes an array's shape; true when that changed what the field had seen.</summary>
    private bool NoteArray(int field, byte depth, LeafKinds leaves)
    {
        var current = _arrayDepth[field];
        var next = depth == 0 ? current : current == 0 || current == depth ? depth : ArrayShape.Irregular;
        var changed = next != current || (_leaves[field] | leaves) != _leaves[field];
        _arrayDepth[field] = next;
        _leaves[field] |= leaves;
        return changed;
    }

    /// <summary>Notes an object's keys and their kinds; true when that changed what the field had seen.</summary>
    private bool NoteObject(int field, ReadOnlySpan<byte> json)
    {
        var changed = _objects[field] is null;
        var shape = _objects[field] ??= new ObjectShape();
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            changed |= shape.Note(name, SeenOf(RecordParser.ScalarKind(ref reader)));
        }

        return changed;
    }

    // By ValueKind: Missing, Null, False, True, Integer, Float, BigInteger, String, Nested.
    private static readonly Seen[] SeenByKind =
        [Seen.None, Seen.None, Seen.Boolean, Seen.Boolean, Seen.Integer, Seen.Float, Seen.BigInteger, Seen.String, Seen.Nested];

    private static Seen SeenOf(ValueKind kind) => SeenByKind[(int)kind];

    /// <summary>The children seen in a field's objects, in order of first appearance.</summary>
    private sealed class ObjectShape
    {
        public List<string> Names { get; } = [];

        public List<Seen> Seen { get; } = [];

        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

        public bool Note(string name, Seen seen)
        {
            var changed = false;
            if (!_index.TryGetValue(name, out var i))
            {
                _index[name] = i = Names.Count;
                Names.Add(name);
                Seen.Add(SchemaInference.Seen.None);
                changed = true;
            }

            changed |= (Seen[i] | seen) != Seen[i];
            Seen[i] |= seen;
            return changed;
        }

        public void Merge(ObjectShape other)
        {
            for (var i = 0; i < other.Names.Count; i++)
            {
                Note(other.Names[i], other.Seen[i]);
            }
        }
    }

    /// <summary>Notes one record; true when it changed what any field had seen (so the columns may differ).</summary>
    /// <param name="line">The record's line, which the values locate their text in.</param>
    /// <param name="values">The record's values by field index.</param>
    /// <param name="present">The indexes of the fields the record has (the others are missing).</param>
    /// <param name="timeFieldIndex">The time field's index, or -1.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool Observe(ReadOnlySpan<byte> line, ReadOnlySpan<FieldValue> values, ReadOnlySpan<int> present, int timeFieldIndex)
    {
        Grow(values.Length);
        var seenSoFar = CollectionsMarshal.AsSpan(_seen);
        var changed = false;

        foreach (var i in present)
        {
            ref readonly var value = ref values[i];
            var seen = SeenOf(value.Kind);
            if (seen == Seen.None)
            {
                continue;
            }

            if (i == timeFieldIndex)
            {
                seen |= value.Time is null ? Seen.NotTime : Seen.Time;
            }

            if (value.Kind == ValueKind.Nested && line[value.RawStart] == (byte)'[')
            {
                seen |= Seen.Array;
                changed |= NoteArray(i, value.ArrayDepth, value.ArrayLeaves);
            }
            else if (value.Kind == ValueKind.Nested && value.ArrayDepth == ArrayShape.FlatObject)
            {
                seen |= Seen.FlatObject;
                changed |= NoteObject(i, line.Slice(value.RawStart, value.RawLength));
            }
            else if (value.Kind == ValueKind.Nested)
            {
                seen |= Seen.DeepObject;
            }

            changed |= (seenSoFar[i] | seen) != seenSoFar[i];
            seenSoFar[i] |= seen;
        }

        return changed;
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
                NoteArray(mine, other._arrayDepth[i], other._leaves[i]);
                if (other._objects[i] is { } shape)
                {
                    (_objects[mine] ??= new ObjectShape()).Merge(shape);
                }
            }
        }
    }

    /// <summary>Whether a field had any value other than null.</summary>
    public bool SawValue(int field) => field >= 0 && field < _seen.Count && _seen[field] != Seen.None;

    public IReadOnlyList<ColumnSpec> Columns(IReadOnlyList<string> names, int timeFieldIndex)
    {
        var columns = new List<ColumnSpec>(names.Count);
        for (var i = 0; i < names.Count; i++)
        {
            var seen = i < _seen.Count ? _seen[i] : Seen.None;
            var kind = KindOf(seen, i == timeFieldIndex);
            var nested = kind != ColumnKind.Json ? null
                : (seen & NestedKinds) == Seen.FlatObject ? StructOf(i)
                : (seen & NestedKinds) == Seen.Array ? ListOf(i)
                : null; // arrays and objects mixed, or objects with nesting inside: exact JSON text
            columns.Add(nested is { } shaped ? shaped with { Name = names[i] } : new ColumnSpec(names[i], kind));
        }

        return columns;
    }

    /// <summary>The struct column a field of only flat objects becomes, or null when they never had a key.</summary>
    private ColumnSpec? StructOf(int field)
    {
        if (_objects[field] is not { Names.Count: > 0 } shape)
        {
            return null;
        }

        var children = shape.Names.Select((name, i) => new ColumnSpec(name, KindOf(shape.Seen[i], isTimeField: false))).ToArray();
        return new ColumnSpec("", ColumnKind.Struct, Children: children);
    }

    /// <summary>The list column a field of only arrays becomes, or null when their shape is not stable.</summary>
    private ColumnSpec? ListOf(int field)
    {
        var depth = _arrayDepth[field];
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
            _ => ColumnKind.String, // mixed kinds or integers beyond Int64: a list of text, each leaf as its exact JSON text
        };
        return element is { } e ? new ColumnSpec("", ColumnKind.List, e, depth == 0 ? 1 : depth) : null;
    }

    private static ColumnKind KindOf(Seen seen, bool isTimeField)
    {
        if (isTimeField && seen.HasFlag(Seen.Time) && !seen.HasFlag(Seen.NotTime))
        {
            return ColumnKind.Timestamp;
        }

        var types = seen & ~(Seen.Time | Seen.NotTime | NestedKinds);
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
