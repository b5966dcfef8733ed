using System.Runtime.CompilerServices;
using System.Text;
using Parquet;
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

    /// <param name="column">The column.</param>
    /// <param name="slices">Where text columns lay out their values when written. Columns written one after another
    /// (the columns of one file) share one.</param>
    public static ColumnBuffer For(ColumnSpec column, Utf8Slices slices) => column.Kind switch
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
        ColumnKind.Timestamp => new ValueBuffer<DateTime>(
            new DateTimeDataField(column.Name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: true),
            (in FieldValue v, out DateTime t) =>
            {
                t = v.Time ?? default;
                return v.Time is not null;
            }),
        ColumnKind.List => ListBuffer.Create(column),
        ColumnKind.Struct => new StructBuffer(column),
        _ => new TextBuffer(new DataField<string>(column.Name), slices),
    };

    /// <summary>Throws when the value cannot go in this column (only possible with a given schema).</summary>
    public virtual void Check(in FieldValue value)
    {
    }

    /// <summary>Adds one record's value; a missing or null value is a null.</summary>
    /// <exception cref="InvalidDataException">The value does not fit the column (only with a given schema).</exception>
    public abstract void Append(ReadOnlySpan<byte> line, in FieldValue value);

    public abstract Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken);

    public abstract void Clear();

    /// <summary>An empty buffer for the same column, sharing its field (Parquet.Net wants the schema's own instance).</summary>
    public abstract ColumnBuffer Sibling();

    protected InvalidDataException Mismatch(in FieldValue value) =>
        new($"field '{Field.Name}' holds a {value.Kind} value where the column is {Field.ClrType.Name}");
}

internal delegate bool ValueReader<T>(in FieldValue value, out T result);

internal sealed class ValueBuffer<T> : ColumnBuffer
    where T : struct
{
    private readonly DataField _field;
    private readonly ValueReader<T> _read;
    private T?[] _values = new T?[InitialCapacity];

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
        if (Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        if (value.Kind is ValueKind.Missing or ValueKind.Null)
        {
            _values[Count++] = null;
        }
        else if (_read(value, out var result))
        {
            _values[Count++] = result;
        }
        else
        {
            throw Mismatch(value);
        }
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken) =>
        rowGroup.WriteAsync(_field, new ReadOnlyMemory<T?>(_values, 0, Count), cancellationToken: cancellationToken);

    public override void Clear()
    {
        Array.Clear(_values, 0, Count);
        Count = 0;
    }

    public override ColumnBuffer Sibling() => new ValueBuffer<T>(_field, _read);
}

/// <summary>String and JSON columns: strings as themselves, other values as their exact JSON text. Appending copies
/// UTF-8 bytes, and those bytes are what is written (see <see cref="Utf8Twin"/>).</summary>
internal sealed class TextBuffer : ColumnBuffer
{
    private readonly DataField _field;
    private readonly Utf8Values _values = new();
    private readonly Utf8Slices _slices;
    private DataField? _twin;

    public TextBuffer(DataField field, Utf8Slices slices)
    {
        _field = field;
        _slices = slices;
    }

    public override DataField Field => _field;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Append(ReadOnlySpan<byte> line, in FieldValue value)
    {
        Count++;
        switch (value.Kind)
        {
            case ValueKind.Missing or ValueKind.Null:
                _values.AddNull();
                break;
            case ValueKind.String when value.Text is { } text:
                _values.Commit(Encoding.UTF8.GetBytes(text, _values.Reserve(Encoding.UTF8.GetMaxByteCount(text.Length))));
                break;
            default: // true and false too: their JSON text is the text they are written as
                _values.Add(RecordParser.TextBytes(line, value));
                break;
        }
    }

    public override Task WriteAsync(ParquetRowGroupWriter rowGroup, CancellationToken cancellationToken)
    {
        _twin ??= Utf8Twin.Of(_field, leaf => leaf);
        var (values, definitions) = _slices.Slice(_values, _field.MaxDefinitionLevel);
        return rowGroup.WriteAllPartsAsync(_twin, values, definitions, null, cancellationToken);
    }

    public override void Clear()
    {
        Count = 0;
        _values.Clear();
    }

    /// <summary>The sibling shares the slicing scratch: only one column is written at a time.</summary>
    public override ColumnBuffer Sibling() => new TextBuffer(_field, _slices) { _twin = _twin };
}
