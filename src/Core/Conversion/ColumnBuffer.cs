using System.Runtime.CompilerServices;
using System.Text;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>The values of one column for the row group being built, typed as the column is written.</summary>
internal abstract class ColumnBuffer
{
    protected const int InitialCapacity = 1024;

    public int Count { get; protected set; }

    /// <summary>The leaf field the values are written to.</summary>
    public abstract DataField Field { get; }

    /// <summary>The field as it appears in the schema (a list wraps its leaf).</summary>
    public virtual Field SchemaField => Field;

    /// <summary>Whether text whose values are few and repeated is dictionary-encoded (see <see cref="TextDictionary"/>).</summary>
    public bool Dictionaries { get; set; }

    public static ColumnBuffer For(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Boolean => new ValueBuffer<bool>(new DataField<bool?>(column.Name), (in FieldValue v, out bool b) =>
        {
            b = v.Kind == ValueKind.True;
            return v.Kind is ValueKind.True or ValueKind.False;
        }),
        ColumnKind.Int64 => new ValueBuffer<long>(new DataField<long?>(column.Name), (in FieldValue v, out long n) =>
        {
            n = v.Integer;
            return v.Kind == ValueKind.Integer;
        }),
        ColumnKind.Double => new ValueBuffer<double>(new DataField<double?>(column.Name), (in FieldValue v, out double d) =>
        {
            d = v.Float;
            return v.Kind is ValueKind.Integer or ValueKind.Float;
        }),
        ColumnKind.Timestamp => Timestamp(column.Name),
        ColumnKind.List => ListBuffer.Create(column),
        ColumnKind.Struct => new StructBuffer(column),
        _ => new TextBuffer(new DataField<string>(column.Name)),
    };

    /// <summary>A TIMESTAMP(MICROS, UTC) column, its values written as the microseconds they are on disk.</summary>
    private static ColumnBuffer Timestamp(string name) =>
        new ValueBuffer<long>(new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
            (in FieldValue v, out long micros) =>
            {
                micros = v.Time is { } t ? UnixMicroseconds(t) : 0;
                return v.Time is not null;
            });

    /// <summary>Microseconds since 1970-01-01 UTC, rounded down; <paramref name="utc"/> is a UTC time.</summary>
    internal static long UnixMicroseconds(DateTime utc)
    {
        var ticks = utc.Ticks - DateTime.UnixEpoch.Ticks;
        return ticks >= 0 ? ticks / 10 : ((ticks + 1) / 10) - 1;
    }

    /// <summary>Throws when the value cannot go in this column (only possible with a given schema).</summary>
    public virtual void Check(in FieldValue value)
    {
    }

    /// <summary>Adds one record's value; a missing or null value is a null.</summary>
    /// <exception cref="InvalidDataException">The value does not fit the column (only with a given schema).</exception>
    public abstract void Append(ReadOnlySpan<byte> line, in FieldValue value);

    /// <summary>Turns the appended values into the form <see cref="WriteAsync"/> hands Parquet.Net. It runs on the
    /// parsing thread before the row group goes to the encoder lane, which is the busier of the two, so the lane
    /// only encodes.</summary>
    public virtual void Prepare()
    {
    }

    /// <summary>Writes the prepared values as this column's chunk of the row group.</summary>
    public abstract void Write(ChunkTarget target);

    public abstract void Clear();

    /// <summary>An empty buffer for the same column, sharing its field (Parquet.Net wants the schema's own instance).</summary>
    public abstract ColumnBuffer Sibling();

    protected InvalidDataException Mismatch(in FieldValue value) =>
        new($"field '{Field.Name}' holds a {value.Kind} value where the column is {Field.ClrType.Name}");
}

internal delegate bool ValueReader<T>(in FieldValue value, out T result);

internal sealed class ValueBuffer<T> : ColumnBuffer
    where T : unmanaged
{
    private readonly DataField _field;
    private readonly ValueReader<T> _read;
    private T[] _values = new T[InitialCapacity]; // the non-null ones
    private int[] _definitions = new int[InitialCapacity];
    private int _present;

    public ValueBuffer(DataField field, ValueReader<T> read)
    {
        _field = field;
        _read = read;
    }

    public override DataField Field => _field;

    public override void Check(in FieldValue value)
    {
        if (value.Kind is not (ValueKind.Missing or ValueKind.Null) && !_read(value, out _))
        {
            throw Mismatch(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ReadOnlySpan<byte> line, in FieldValue value)
    {
        if (Count == _definitions.Length)
        {
            Array.Resize(ref _definitions, _definitions.Length * 2);
            Array.Resize(ref _values, _values.Length * 2);
        }

        if (value.Kind is ValueKind.Missing or ValueKind.Null)
        {
            _definitions[Count++] = 0;
        }
        else if (_read(value, out var result))
        {
            _values[_present++] = result;
            _definitions[Count++] = 1;
        }
        else
        {
            throw Mismatch(value);
        }
    }

    public override void Write(ChunkTarget target) =>
        target.Write<T>(_field, _values.AsSpan(0, _present), _definitions.AsSpan(0, Count));

    public override void Clear()
    {
        Count = 0;
        _present = 0;
    }

    public override ColumnBuffer Sibling() => new ValueBuffer<T>(_field, _read);
}

/// <summary>String and JSON columns: strings as themselves, other values as their exact JSON text. Appending copies
/// UTF-8 bytes, and those bytes are what is written (see <see cref="ChunkWriter"/>), as they are or, when the row
/// group's values are few and repeated, as a dictionary (see <see cref="TextDictionary"/>).</summary>
internal sealed class TextBuffer : ColumnBuffer
{
    private readonly DataField _field;
    private readonly Utf8Column _values = new();
    private int[] _definitions = new int[InitialCapacity];
    private TextDictionary? _dictionary;
    private TextDictionary? _mapped; // the dictionary this row group's values were mapped to, if they were
    private ReadOnlyMemory<int> _indexes;
    private Utf8Range _range;

    public TextBuffer(DataField field) => _field = field;

    public override DataField Field => _field;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ReadOnlySpan<byte> line, in FieldValue value)
    {
        if (Count == _definitions.Length)
        {
            Array.Resize(ref _definitions, _definitions.Length * 2);
        }

        switch (value.Kind)
        {
            case ValueKind.Missing or ValueKind.Null:
                _definitions[Count++] = 0;
                return;
            case ValueKind.String when value.Text is { } text:
                _values.Commit(Encoding.UTF8.GetBytes(text, _values.Reserve(Encoding.UTF8.GetMaxByteCount(text.Length))));
                break;
            default: // true and false too: their JSON text is the text they are written as
                _values.Add(RecordParser.TextBytes(line, value));
                break;
        }

        _definitions[Count++] = 1;
    }

    public override void Prepare()
    {
        _mapped = Dictionaries && (_dictionary ??= new()).TryMap(_values, out _indexes) ? _dictionary : null;
        _range = _mapped?.UsedRange() ?? _values.Range();
    }

    public override void Write(ChunkTarget target) =>
        target.WriteText(_field, new TextChunk(_values, new ReadOnlyMemory<int>(_definitions, 0, Count), default, _range, _mapped, _indexes));

    public override void Clear()
    {
        Count = 0;
        _values.Clear();
        _mapped = null;
        _range.Clear();
    }

    public override ColumnBuffer Sibling() => new TextBuffer(_field) { Dictionaries = Dictionaries };
}
