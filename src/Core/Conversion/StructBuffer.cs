using System.Runtime.CompilerServices;
using System.Text.Json;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// A STRUCT column of scalar children. Each object is read again from its exact JSON text; per child, definition
/// level 0 is a null struct, 1 a null or missing child, 2 a value. Children keep the scalar rules: a string child
/// holds strings as themselves and other values as their JSON text.
/// </summary>
internal sealed class StructBuffer : ColumnBuffer
{
    private readonly StructField _field;
    private readonly Child[] _children;
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly bool[] _present;
    private char[] _name = new char[64];

    public StructBuffer(ColumnSpec column)
        : this(column.Children!.Select(Child.For).ToArray(), column.Name)
    {
    }

    private StructBuffer(Child[] children, string name, StructField? field = null)
    {
        _children = children;
        _field = field ?? new StructField(name, children.Select(c => (Field)c.Leaf).ToArray());
        _index = children.Select((c, i) => (c.Leaf.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        _lookup = _index.GetAlternateLookup<ReadOnlySpan<char>>();
        _present = new bool[children.Length];
    }

    /// <summary>The first child: the struct itself is not a data column.</summary>
    public override DataField Field => _children[0].Leaf;

    public override Field SchemaField => _field;

    public override void Check(in FieldValue value)
    {
        if (value.Kind is not (ValueKind.Missing or ValueKind.Null) && value.ArrayDepth != ArrayShape.FlatObject)
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
            foreach (var child in _children)
            {
                child.Absent(0);
            }

            return;
        }

        Array.Clear(_present);
        var reader = new Utf8JsonReader(line.Slice(value.RawStart, value.RawLength));
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var length = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (_name.Length < length)
            {
                _name = new char[length * 2];
            }

            var written = reader.CopyString(_name);
            reader.Read();
            if (_lookup.TryGetValue(_name.AsSpan(0, written), out var i))
            {
                if (_present[i])
                {
                    _children[i].DropLast(); // a repeated key: the last one wins, as at the top level
                }

                _present[i] = true;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    _children[i].Absent(1);
                }
                else
                {
                    _children[i].Add(ref reader);
                }
            }
        }

        for (var i = 0; i < _children.Length; i++)
        {
            if (!_present[i])
            {
                _children[i].Absent(1);
            }
        }
    }

    public override void Write(ChunkTarget target)
    {
        foreach (var child in _children)
        {
            child.Write(target);
        }
    }

    public override void Clear()
    {
        Count = 0;
        foreach (var child in _children)
        {
            child.Clear();
        }
    }

    public override ColumnBuffer Sibling() => new StructBuffer(_children.Select(c => c.Sibling()).ToArray(), _field.Name, _field);

    /// <summary>One child: its values and definition levels.</summary>
    private abstract class Child
    {
        private int[] _definitions = new int[InitialCapacity];
        private int _levels;

        protected Child(DataField leaf) => Leaf = leaf;

        public DataField Leaf { get; }

        protected ReadOnlyMemory<int> Definitions => new(_definitions, 0, _levels);

        /// <param name="column">The child's column.</param>
        public static Child For(ColumnSpec column) => column.Kind switch
        {
            ColumnKind.Boolean => new Values<bool>(new DataField<bool?>(column.Name), (ref Utf8JsonReader r) => r.GetBoolean()),
            ColumnKind.Int64 => new Values<long>(new DataField<long?>(column.Name), (ref Utf8JsonReader r) => r.GetInt64()),
            ColumnKind.Double => new Values<double>(new DataField<double?>(column.Name), (ref Utf8JsonReader r) => r.GetDouble()),
            _ => new Text(new DataField<string>(column.Name)),
        };

        public void Absent(int definition) => Level(definition);

        public void Add(ref Utf8JsonReader reader)
        {
            AddValue(ref reader);
            Level(2);
        }

        protected abstract void AddValue(ref Utf8JsonReader reader);

        /// <summary>Takes back the last value or null added.</summary>
        public void DropLast()
        {
            if (_definitions[--_levels] == 2)
            {
                DropValue();
            }
        }

        protected abstract void DropValue();

        public abstract void Write(ChunkTarget target);

        public abstract Child Sibling();

        public virtual void Clear() => _levels = 0;

        private void Level(int definition)
        {
            if (_levels == _definitions.Length)
            {
                Array.Resize(ref _definitions, _definitions.Length * 2);
            }

            _definitions[_levels++] = definition;
        }
    }

    private sealed class Values<T>(DataField leaf, JsonLeafReader<T> read) : Child(leaf)
        where T : unmanaged
    {
        private T[] _values = new T[InitialCapacity];
        private int _count;

        protected override void AddValue(ref Utf8JsonReader reader)
        {
            if (_count == _values.Length)
            {
                Array.Resize(ref _values, _values.Length * 2);
            }

            _values[_count++] = read(ref reader);
        }

        protected override void DropValue() => _count--;

        public override void Write(ChunkTarget target) =>
            target.Write<T>(Leaf, _values.AsSpan(0, _count), Definitions.Span);

        public override Child Sibling() => new Values<T>(Leaf, read);

        public override void Clear()
        {
            base.Clear();
            _count = 0;
        }
    }

    /// <summary>A text child, written as UTF-8 bytes (see <see cref="ChunkWriter"/>).</summary>
    private sealed class Text(DataField leaf) : Child(leaf)
    {
        private readonly Utf8Column _values = new();

        protected override void AddValue(ref Utf8JsonReader reader)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                _values.AddString(ref reader);
            }
            else
            {
                _values.Add(reader.ValueSpan); // numbers and booleans as their JSON text
            }
        }

        protected override void DropValue() => _values.RemoveLast();

        public override void Write(ChunkTarget target) =>
            target.WriteText(Leaf, new TextChunk(_values, Definitions, default, _values.Range()));

        public override Child Sibling() => new Text(Leaf);

        public override void Clear()
        {
            base.Clear();
            _values.Clear();
        }
    }
}
