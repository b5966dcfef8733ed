using System.Buffers;

namespace PipelineOps.Conversion;

/// <summary>
/// Writes the Thrift compact encoding of the two Parquet page headers the converter's own pages need: a v1 data page
/// and a dictionary page (parquet-format's PageHeader, DataPageHeader and DictionaryPageHeader; field ids as there).
/// The counterpart of <see cref="ThriftCompactReader"/>, which reads them back in the tests.
/// </summary>
internal static class PageHeaderWriter
{
    // PageType
    public const int DataPage = 0, DictionaryPage = 2;

    // Encoding
    public const int Plain = 0, Rle = 3, RleDictionary = 8;

    /// <summary>A DATA_PAGE header: <paramref name="levels"/> counts every entry, nulls included.</summary>
    public static void Data(IBufferWriter<byte> output, int uncompressed, int compressed, int levels, int encoding)
    {
        var w = new Writer(output);
        w.I32(1, DataPage);
        w.I32(2, uncompressed);
        w.I32(3, compressed);
        w.BeginStruct(5);
        w.I32(1, levels);
        w.I32(2, encoding);
        w.I32(3, Rle); // definition levels
        w.I32(4, Rle); // repetition levels
        w.EndStruct();
        w.Stop();
    }

    /// <summary>A DICTIONARY_PAGE header for <paramref name="entries"/> PLAIN-encoded values.</summary>
    public static void Dictionary(IBufferWriter<byte> output, int uncompressed, int compressed, int entries)
    {
        var w = new Writer(output);
        w.I32(1, DictionaryPage);
        w.I32(2, uncompressed);
        w.I32(3, compressed);
        w.BeginStruct(7);
        w.I32(1, entries);
        w.I32(2, Plain);
        w.EndStruct();
        w.Stop();
    }

    private ref struct Writer(IBufferWriter<byte> output)
    {
        private const byte I32Type = 5, StructType = 12;
        private short _last;
        private short _outer;

        public void I32(short id, int value)
        {
            Field(id, I32Type);
            Varint((uint)((value << 1) ^ (value >> 31))); // zigzag
        }

        public void BeginStruct(short id)
        {
            Field(id, StructType);
            _outer = _last;
            _last = 0;
        }

        public void EndStruct()
        {
            Stop();
            _last = _outer;
        }

        public void Stop() => Byte(0);

        private void Field(short id, byte type)
        {
            var delta = id - _last;
            if (delta is > 0 and <= 15)
            {
                Byte((byte)((delta << 4) | type));
            }
            else
            {
                Byte(type);
                Varint((uint)((id << 1) ^ (id >> 31)));
            }

            _last = id;
        }

        private void Varint(uint value)
        {
            while (value >= 0x80)
            {
                Byte((byte)(value | 0x80));
                value >>= 7;
            }

            Byte((byte)value);
        }

        private readonly void Byte(byte value)
        {
            output.GetSpan(1)[0] = value;
            output.Advance(1);
        }
    }
}
