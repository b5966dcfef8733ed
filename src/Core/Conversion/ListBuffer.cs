using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// A LIST (depth 1) or LIST of LIST (depth 2) column. Appending keeps each array's exact JSON text; preparing reads
/// the arrays again and turns them into leaf values with Parquet's definition and repetition levels, so null and
/// empty lists, null inner lists and null elements all survive: [] stays [], [[]] stays [[]], [null] stays [null].
/// That reading happens when the row group is handed on, long after the records were added, so <see cref="Check"/>
/// admits only arrays it cannot fail on.
/// </summary>
internal abstract class ListBuffer : ColumnBuffer
{
    private readonly DataField _leaf;
    private readonly Field _schemaField;
    private readonly int _depth;
    private readonly LeafKinds _admitted;
    private readonly ColumnKind _element;
    private readonly Utf8Column _arrays = new(); // each row's array text; a null row is empty (an array never is)
    private readonly Levels _levels;

    protected ListBuffer(DataField leaf, ColumnSpec column, LeafKinds admitted)
    {
        _leaf = leaf;
        _depth = column.Depth;
        _schemaField = Shape(column.Name, _depth, leaf);
        _admitted = admitted;
        _element = column.Element;
        _levels = new Levels();
    }

    /// <summary>For siblings: the same leaf and list fields as the schema holds.</summary>
    protected ListBuffer(ListBuffer sibling)
    {
        _leaf = sibling._leaf;
        _schemaField = sibling._schemaField;
        _depth = sibling._depth;
        _admitted = sibling._admitted;
        _element = sibling._element;
        _levels = new Levels(); // its own: one set is prepared while the other is written
    }

    public override DataField Field => _leaf;

    public override Field SchemaField => _schemaField;

    /// <summary>The list fields around a leaf.</summary>
    protected Field Shape(DataField leaf) => Shape(_schemaField.Name, _depth, leaf);

    private static Field Shape(string name, int depth, DataField leaf) =>
        depth == 1 ? new ListField(name, leaf) : new ListField(name, new ListField("element", leaf));

    public static ColumnBuffer Create(ColumnSpec column) => column.Element switch
    {
        ColumnKind.Int64 => new LeafListBuffer<long>(new DataField<long?>("element"), column, LeafKinds.Integer,
            (ref Utf8JsonReader r) => r.GetInt64()),
        ColumnKind.Double => new LeafListBuffer<double>(new DataField<double?>("element"), column, LeafKinds.Integer | LeafKinds.Float,
            (ref Utf8JsonReader r) => r.GetDouble()),
        ColumnKind.Boolean => new LeafListBuffer<bool>(new DataField<bool?>("element"), column, LeafKinds.Boolean,
            (ref Utf8JsonReader r) => r.GetBoolean()),
        _ => new StringListBuffer(column),
    };

    public override void Check(in FieldValue value)
    {
        if (value.Kind is not (ValueKind.Missing or ValueKind.Null)
            && (value.Kind != ValueKind.Nested
                || (value.ArrayDepth != 0 && value.ArrayDepth != _depth)
                || (value.ArrayLeaves & ~_admitted) != 0))
        {
            var column = _depth == 1 ? $"a list of {_element}" : $"a list of lists of {_element}";
            var held = value.Kind == ValueKind.Nested ? "an array (or object) of another shape" : $"a {value.Kind} value";
            throw new InvalidDataException($"field '{_schemaField.Name}' holds {held} where the column is {column}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ReadOnlySpan<byte> line, in FieldValue value)
    {
        Count++;
        if (value.Kind is ValueKind.Missing or ValueKind.Null)
        {
            _arrays.Add([]);
        }
        else
        {
            _arrays.Add(line.Slice(value.RawStart, value.RawLength));
        }
    }

    public override void Prepare()
    {
        _levels.Clear();
        ClearValues();
        for (var i = 0; i < _arrays.Count; i++)
        {
            if (_arrays.Memory(i) is { IsEmpty: false } array)
            {
                Decode(array);
            }
            else
            {
                _levels.Add(0, 0);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Decode(ReadOnlyMemory<byte> array)
    {
        var reader = new Utf8JsonReader(array.Span);
        reader.Read(); // the outer [
        var repetition = 0;
        var any = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            any = true;
            if (_depth == 1)
            {
                Leaf(ref reader, array, present: 2, repetition);
            }
            else if (reader.TokenType == JsonTokenType.Null)
            {
                _levels.Add(2, repetition); // a null inner list
            }
            else
            {
                var inner = repetition;
                var anyInner = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    anyInner = true;
                    Leaf(ref reader, array, present: 4, inner);
                    inner = 2;
                }

                if (!anyInner)
                {
                    _levels.Add(3, repetition); // an empty inner list
                }
            }

            repetition = 1;
        }

        if (!any)
        {
            _levels.Add(1, 0); // an empty list
        }
    }

    // present: the definition level of a null element; a value is one more.
    private void Leaf(ref Utf8JsonReader reader, ReadOnlyMemory<byte> array, int present, int repetition)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            _levels.Add(present, repetition);
        }
        else
        {
            AddValue(ref reader, array);
            _levels.Add(present + 1, repetition);
        }
    }

    /// <param name="reader">At the value.</param>
    /// <param name="array">The array being read: what the reader reads.</param>
    protected abstract void AddValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> array);

    protected abstract void ClearValues();

    protected ReadOnlyMemory<int> Definitions => _levels.Definitions;

    protected ReadOnlyMemory<int> Repetitions => _levels.Repetitions;

    public override void Clear()
    {
        Count = 0;
        _arrays.Clear();
    }

    /// <summary>The definition and repetition levels of the leaf values being written.</summary>
    private sealed class Levels
    {
        private int[] _definitions = new int[InitialCapacity];
        private int[] _repetitions = new int[InitialCapacity];
        private int _count;

        public ReadOnlyMemory<int> Definitions => new(_definitions, 0, _count);

        public ReadOnlyMemory<int> Repetitions => new(_repetitions, 0, _count);

        public void Add(int definition, int repetition)
        {
            if (_count == _definitions.Length)
            {
                Array.Resize(ref _definitions, _definitions.Length * 2);
                Array.Resize(ref _repetitions, _repetitions.Length * 2);
            }

            _definitions[_count] = definition;
            _repetitions[_count++] = repetition;
        }

        public void Clear() => _count = 0;
    }
}

internal delegate T JsonLeafReader<T>(ref Utf8JsonReader reader);

/// <summary>Lists of numbers or booleans.</summary>
internal sealed class LeafListBuffer<T> : ListBuffer
    where T : unmanaged
{
    private readonly JsonLeafReader<T> _read;
    private readonly Scratch _scratch;

    public LeafListBuffer(DataField leaf, ColumnSpec column, LeafKinds admitted, JsonLeafReader<T> read)
        : base(leaf, column, admitted)
    {
        _read = read;
        _scratch = new Scratch();
    }

    private LeafListBuffer(LeafListBuffer<T> sibling)
        : base(sibling)
    {
        _read = sibling._read;
        _scratch = new Scratch();
    }

    protected override void AddValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> array)
    {
        if (_scratch.Count == _scratch.Values.Length)
        {
            Array.Resize(ref _scratch.Values, _scratch.Values.Length * 2);
        }

        _scratch.Values[_scratch.Count++] = _read(ref reader);
    }

    protected override void ClearValues() => _scratch.Count = 0;

    public override void Write(ChunkTarget target) =>
        target.Write<T>(Field, _scratch.Values.AsSpan(0, _scratch.Count), Definitions.Span, Repetitions.Span);

    public override ColumnBuffer Sibling() => new LeafListBuffer<T>(this);

    private sealed class Scratch
    {
        public T[] Values = new T[InitialCapacity];
        public int Count;
    }
}

/// <summary>Lists of text, written as UTF-8 bytes (see <see cref="ChunkWriter"/>): slices of the arrays' own text
/// where a string has no escapes, unescaped into an arena where it has. Numbers and booleans in them (leaves of mixed
/// kinds) are kept as their exact JSON text, as a string column keeps them. Leaves few and repeated (sides, a
/// handful of prices) are dictionary-encoded as a text column's are.</summary>
internal sealed class StringListBuffer : ListBuffer
{
    private readonly Scratch _scratch;

    public StringListBuffer(ColumnSpec column)
        : base(new DataField<string>("element"), column, LeafKinds.String | LeafKinds.Integer | LeafKinds.Float | LeafKinds.Boolean | LeafKinds.Other)
        => _scratch = new Scratch();

    private StringListBuffer(StringListBuffer sibling)
        : base(sibling) => _scratch = new Scratch();

    protected override void AddValue(ref Utf8JsonReader reader, ReadOnlyMemory<byte> array)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            _scratch.Values.Add(reader.ValueSpan); // a number or boolean: its JSON text
        }
        else if (reader.ValueIsEscaped)
        {
            _scratch.Values.AddString(ref reader);
        }
        else
        {
            _scratch.Values.Add(reader.ValueSpan);
        }
    }

    public override void Prepare()
    {
        base.Prepare();
        _scratch.Mapped = Dictionaries && (_scratch.Dictionary ??= new()).TryMap(_scratch.Values, out _scratch.Indexes) ? _scratch.Dictionary : null;
        _scratch.Range = _scratch.Mapped?.UsedRange() ?? _scratch.Values.Range();
    }

    protected override void ClearValues()
    {
        _scratch.Values.Clear();
        _scratch.Range.Clear();
    }

    public override void Write(ChunkTarget target) =>
        target.WriteText(Field, new TextChunk(_scratch.Values, Definitions, Repetitions, _scratch.Range, _scratch.Mapped, _scratch.Indexes));

    public override ColumnBuffer Sibling() => new StringListBuffer(this) { Dictionaries = Dictionaries };

    private sealed class Scratch
    {
        public readonly Utf8Column Values = new();
        public Utf8Range Range;
        public TextDictionary? Dictionary;
        public TextDictionary? Mapped; // the dictionary this row group's values were mapped to, if they were
        public ReadOnlyMemory<int> Indexes;
    }
}
