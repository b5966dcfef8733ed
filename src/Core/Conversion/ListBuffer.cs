using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// A LIST (depth 1) or LIST of LIST (depth 2) column. Each array is read again from its exact JSON text and written
/// as leaf values with Parquet's definition and repetition levels, so null and empty lists, null inner lists and
/// null elements all survive: [] stays [], [[]] stays [[]], [null] stays [null].
/// </summary>
internal abstract class ListBuffer : ColumnBuffer
{
    private readonly DataField _leaf;
    private readonly Field _schemaField;
    private readonly int _depth;
    private int[] _definitions = new int[InitialCapacity];
    private int[] _repetitions = new int[InitialCapacity];

    protected ListBuffer(DataField leaf, string name, int depth)
        : this(leaf, depth == 1 ? new ListField(name, leaf) : new ListField(name, new ListField("element", leaf)), depth)
    {
    }

    /// <summary>For siblings: the same leaf and list fields as the schema holds.</summary>
    protected ListBuffer(DataField leaf, Field schemaField, int depth)
    {
        _leaf = leaf;
        _schemaField = schemaField;
        _depth = depth;
    }

    protected int Depth => _depth;

    protected int Levels { get; private set; }

    public override DataField Field => _leaf;

    public override Field SchemaField => _schemaField;

    public static ColumnBuffer Create(ColumnSpec column) => column.Element switch
    {
        ColumnKind.Int64 => new LeafListBuffer<long>(new DataField<long?>("element"), column, (ref Utf8JsonReader r) => r.GetInt64()),
        ColumnKind.Double => new LeafListBuffer<double>(new DataField<double?>("element"), column, (ref Utf8JsonReader r) => r.GetDouble()),
        ColumnKind.Boolean => new LeafListBuffer<bool>(new DataField<bool?>("element"), column, (ref Utf8JsonReader r) => r.GetBoolean()),
        _ => new StringListBuffer(column),
    };

    public override void Check(in FieldValue value)
    {
        if (value.Kind is not (ValueKind.Missing or ValueKind.Null)
            && (value.Kind != ValueKind.Nested || (value.ArrayDepth != 0 && value.ArrayDepth != _depth)))
        {
            throw Mismatch(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ReadOnlySpan<byte> line, in FieldValue value)
    {
        Count++;
        if (value.Kind is ValueKind.Missing or ValueKind.Null)
        {
            Level(0, 0);
            return;
        }

        var reader = new Utf8JsonReader(line.Slice(value.RawStart, value.RawLength));
        reader.Read(); // the outer [
        var repetition = 0;
        var any = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            any = true;
            if (_depth == 1)
            {
                Leaf(ref reader, present: 2, repetition);
            }
            else if (reader.TokenType == JsonTokenType.Null)
            {
                Level(2, repetition); // a null inner list
            }
            else
            {
                var inner = repetition;
                var anyInner = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    anyInner = true;
                    Leaf(ref reader, present: 4, inner);
                    inner = 2;
                }

                if (!anyInner)
                {
                    Level(3, repetition); // an empty inner list
                }
            }

            repetition = 1;
        }

        if (!any)
        {
            Level(1, 0); // an empty list
        }
    }

    // present: the definition level of a null element; a value is one more.
    private void Leaf(ref Utf8JsonReader reader, int present, int repetition)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            Level(present, repetition);
        }
        else
        {
            AddValue(ref reader);
            Level(present + 1, repetition);
        }
    }

    protected abstract void AddValue(ref Utf8JsonReader reader);

    private void Level(int definition, int repetition)
    {
        if (Levels == _definitions.Length)
        {
            Array.Resize(ref _definitions, _definitions.Length * 2);
            Array.Resize(ref _repetitions, _repetitions.Length * 2);
        }

        _definitions[Levels] = definition;
        _repetitions[Levels++] = repetition;
    }

    protected Task WriteLevelsAsync<T>(ParquetRowGroupWriter rowGroup, T[] values, int count, CancellationToken cancellationToken)
        where T : struct =>
        rowGroup.WriteAllPartsAsync(_leaf, new ReadOnlyMemory<T>(values, 0, count),
            new ReadOnlyMemory<int>(_definitions, 0, Levels), new ReadOnlyMemory<int>(_repetitions, 0, Levels), cancellationToken);

    public override void Clear()
    {
        Count = 0;
        Levels = 0;
    }
}

internal delegate T JsonLeafReader<T>(ref Utf8JsonReader reader);

/// <summary>Lists of numbers or booleans.</summary>
internal sealed class LeafListBuffer<T> : ListBuffer
    where T : struct
{
    private readonly JsonLeafReader<T> _read;
    private T[] _values = new T[InitialCapacity];
    private int _count;

    public LeafListBuffer(DataField leaf, ColumnSpec column, JsonLeafReader<T> read)
        : base(leaf, column.Name, column.Depth) => _read = read;

    private LeafListBuffer(LeafListBuffer<T> sibling)
        : base(sibling.Field, sibling.SchemaField, sibling.Depth) => _read = sibling._read;

    protected override void AddValue(ref Utf8JsonReader reader)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[_count++] = _read(ref reader);
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        WriteLevelsAsync(rowGroup, _values, _count, cancellationToken);

    public override void Clear()
    {
        base.Clear();
        _count = 0;
    }

    public override ColumnBuffer Sibling() => new LeafListBuffer<T>(this);
}

/// <summary>Lists of strings, as slices of a char arena.</summary>
internal sealed class StringListBuffer : ListBuffer
{
    private readonly CharArena _arena = new();
    private ReadOnlyMemory<char>[] _values = new ReadOnlyMemory<char>[InitialCapacity];
    private int _count;

    public StringListBuffer(ColumnSpec column)
        : base(new DataField<string>("element"), column.Name, column.Depth)
    {
    }

    private StringListBuffer(StringListBuffer sibling)
        : base(sibling.Field, sibling.SchemaField, sibling.Depth)
    {
    }

    protected override void AddValue(ref Utf8JsonReader reader)
    {
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        // Unescaped text is never longer than its UTF-8 bytes in JSON.
        var raw = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        var slot = _arena.Reserve(raw);
        var written = reader.CopyString(slot.Span);
        _arena.Return(raw - written);
        _values[_count++] = slot[..written];
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        WriteLevelsAsync(rowGroup, _values, _count, cancellationToken);

    public override void Clear()
    {
        base.Clear();
        Array.Clear(_values, 0, _count);
        _count = 0;
        _arena.Reset();
    }

    public override ColumnBuffer Sibling() => new StringListBuffer(this);
}
