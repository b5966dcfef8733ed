namespace PipelineOps.Conversion;

/// <summary>
/// Just enough of the Thrift compact protocol to read Parquet's footer and page headers for their declared sizes.
/// Nothing is allocated from a declared count: lists are walked element by element, so a count of two billion in a
/// hundred bytes ends at the end of the bytes, not in an allocation.
/// </summary>
internal ref struct ThriftCompactReader(ReadOnlySpan<byte> data)
{
    public const byte Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8,
        List = 9, Set = 10, Map = 11, Struct = 12;

    private const int MaxDepth = 64;
    private readonly ReadOnlySpan<byte> _data = data;
    private int _depth;

    public int Position { get; private set; }

    /// <summary>The next field of the current struct: its id and type; type <see cref="Stop"/> ends the struct.</summary>
    public (short Id, byte Type) ReadField(ref short last)
    {
        var header = ReadByte();
        var type = (byte)(header & 0x0f);
        if (type == Stop)
        {
            return (0, Stop);
        }

        var delta = header >> 4;
        last = delta == 0 ? (short)Unzigzag(ReadVarint()) : (short)(last + delta);
        return (last, type);
    }

    public byte ReadByte() => Position < _data.Length ? _data[Position++] : throw Truncated();

    public int ReadI32() => checked((int)Unzigzag(ReadVarint()));

    public long ReadI64() => Unzigzag(ReadVarint());

    public ReadOnlySpan<byte> ReadBinary()
    {
        var length = ReadVarint();
        if (length > (ulong)(_data.Length - Position))
        {
            throw new InvalidDataException($"a string declares {length} bytes where {_data.Length - Position} remain");
        }

        var value = _data.Slice(Position, (int)length);
        Position += (int)length;
        return value;
    }

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBinary());

    /// <summary>A list's element type and count; the count is only a promise, checked against the bytes left.</summary>
    public (byte Type, int Count) ReadListHeader()
    {
        var header = ReadByte();
        var count = (ulong)(header >> 4);
        if (count == 15)
        {
            count = ReadVarint();
        }

        if (count > (ulong)(_data.Length - Position))
        {
            throw new InvalidDataException($"a list declares {count} elements where {_data.Length - Position} bytes remain");
        }

        return ((byte)(header & 0x0f), (int)count);
    }

    /// <summary>Passes over a value of <paramref name="type"/>, nested ones included (depth-limited).</summary>
    public void Skip(byte type)
    {
        switch (type)
        {
            case True or False:
                return;
            case Byte:
                ReadByte();
                return;
            case I16 or I32 or I64:
                ReadVarint();
                return;
            case Double:
                Advance(8);
                return;
            case Binary:
                ReadBinary();
                return;
            case List or Set:
            {
                var (element, count) = ReadListHeader();
                Enter();
                for (var i = 0; i < count; i++)
                {
                    SkipElement(element);
                }

                _depth--;
                return;
            }

            case Map:
            {
                var count = ReadVarint();
                if (count == 0)
                {
                    return;
                }

                if (count > (ulong)(_data.Length - Position))
                {
                    throw new InvalidDataException($"a map declares {count} entries where {_data.Length - Position} bytes remain");
                }

                var kinds = ReadByte();
                Enter();
                for (var i = 0UL; i < count; i++)
                {
                    SkipElement((byte)(kinds >> 4));
                    SkipElement((byte)(kinds & 0x0f));
                }

                _depth--;
                return;
            }

            case Struct:
            {
                Enter();
                short last = 0;
                while (ReadField(ref last) is { Type: not Stop } field)
                {
                    Skip(field.Type);
                }

                _depth--;
                return;
            }

            default:
                throw new InvalidDataException($"unknown Thrift type {type} at byte {Position}");
        }
    }

    /// <summary>Booleans in lists take a byte each, unlike in fields.</summary>
    private void SkipElement(byte type)
    {
        if (type is True or False)
        {
            ReadByte();
        }
        else
        {
            Skip(type);
        }
    }

    public void Enter()
    {
        if (++_depth > MaxDepth)
        {
            throw new InvalidDataException($"structures nested deeper than {MaxDepth}");
        }
    }

    public void Leave() => _depth--;

    private void Advance(int count)
    {
        if (count > _data.Length - Position)
        {
            throw Truncated();
        }

        Position += count;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 70; shift += 7)
        {
            var b = ReadByte();
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException($"a variable-length integer runs past 10 bytes at byte {Position}");
    }

    private static long Unzigzag(ulong n) => (long)(n >> 1) ^ -(long)(n & 1);

    private readonly EndOfStreamException Truncated() => new($"the Thrift structure ends early at byte {Position}");
}
