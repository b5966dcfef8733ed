using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// Writes a row group's column chunks straight into the file a Parquet.Net writer is writing, which keeps only the
/// file's schema, row groups and footer. Text is taken as the UTF-8 it is: Parquet.Net 6.1 takes text only as UTF-16
/// and builds dictionaries only from that, so writing these pages ourselves saves decoding every value, the library's
/// encoding back, its hashing and its statistics passes; numbers and booleans are copied as they are. A chunk is one
/// plain data page, or for text a dictionary page and one data page of indexes; levels are RLE/bit-packed, pages
/// compressed with the file's codec (<see cref="PageCompressor"/>), and every chunk carries its true statistics
/// (<see cref="ChunkStatistics"/>). One per encoder lane: its buffers are reused chunk after chunk.
/// </summary>
internal sealed class ChunkWriter(PageCompressor compressor) : IDisposable
{
    private const int KeepBytes = 4 << 20;

    private readonly PageBuffer _page = new();
    private readonly PageBuffer _header = new(64);

    /// <summary>Writes a text chunk at the file's position and adds it to <paramref name="rowGroup"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteText(Stream file, ParquetRowGroupWriter rowGroup, DataField leaf, in TextChunk chunk)
    {
        var levels = chunk.Definitions.Length;
        var (result, meta) = Begin(file, rowGroup, leaf, Parquet.Meta.Type.BYTE_ARRAY, levels, levels - chunk.Values.Count);
        var dictionary = chunk.Dictionary;
        if (dictionary is not null)
        {
            meta.Encodings.Add(Encoding.RLE_DICTIONARY);
            meta.DictionaryPageOffset = file.Position;
            PlainText(dictionary.Entries);
            WritePage(file, meta, _page.Written, PageHeaderWriter.DictionaryPage, dictionary.Count, PageHeaderWriter.Plain);
            _page.Reset();
        }

        Levels(leaf, chunk.Definitions.Span, chunk.Repetitions.Span);
        if (dictionary is not null)
        {
            var width = RleHybridEncoder.BitWidth(dictionary.Count - 1);
            _page.GetSpan(1)[0] = (byte)width;
            _page.Advance(1);
            RleHybridEncoder.Encode(_page, chunk.Indexes.Span, width);
        }
        else
        {
            PlainText(chunk.Values);
        }

        var encoding = dictionary is null ? PageHeaderWriter.Plain : PageHeaderWriter.RleDictionary;

        ChunkStatistics.SetText(result, chunk.Range);
        Finish(file, rowGroup, leaf, result, chunk.Repetitions.Span, encoding);
    }

    /// <summary>Writes a chunk of numbers or booleans: <paramref name="values"/> are the non-null ones, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteValues<T>(Stream file, ParquetRowGroupWriter rowGroup, DataField leaf, ReadOnlySpan<T> values,
        ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions)
        where T : unmanaged
    {
        var levels = leaf.MaxDefinitionLevel > 0 ? definitions.Length : values.Length;
        var physical = typeof(T) == typeof(long) ? Parquet.Meta.Type.INT64
            : typeof(T) == typeof(double) ? Parquet.Meta.Type.DOUBLE
            : typeof(T) == typeof(bool) ? Parquet.Meta.Type.BOOLEAN
            : throw new NotSupportedException($"no Parquet type for {typeof(T).Name} values");
        var (result, _) = Begin(file, rowGroup, leaf, physical, levels, levels - values.Length);
        Levels(leaf, definitions, repetitions);
        if (typeof(T) == typeof(bool))
        {
            var flags = MemoryMarshal.Cast<T, bool>(values);
            PackBits(flags);
            ChunkStatistics.SetBoolean(result, flags.Contains(false), flags.Contains(true));
        }
        else
        {
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("Parquet's PLAIN numbers are little-endian; this machine is not");
            }

            _page.Write(MemoryMarshal.AsBytes(values));
            if (typeof(T) == typeof(long))
            {
                ChunkStatistics.SetInt64(result, MemoryMarshal.Cast<T, long>(values));
            }
            else
            {
                ChunkStatistics.SetDouble(result, MemoryMarshal.Cast<T, double>(values));
            }
        }

        Finish(file, rowGroup, leaf, result, repetitions, PageHeaderWriter.Plain);
    }

    private (ColumnChunk Chunk, ColumnMetaData Meta) Begin(Stream file, ParquetRowGroupWriter rowGroup, DataField leaf,
        Parquet.Meta.Type physical, int levels, int nulls)
    {
        RowGroupColumns.CheckNext(rowGroup, leaf, physical);
        var meta = new ColumnMetaData
        {
            Type = physical,
            PathInSchema = leaf.Path.ToList(),
            Codec = (CompressionCodec)compressor.Method,
            NumValues = levels,
            Statistics = new Statistics { NullCount = nulls },
            Encodings = [Encoding.PLAIN, Encoding.RLE],
        };
        _page.Reset();
        return (new ColumnChunk { FileOffset = file.Position, MetaData = meta }, meta);
    }

    /// <summary>Repetition then definition levels, as a v1 data page begins, each only when the leaf can have them.</summary>
    private void Levels(DataField leaf, ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions)
    {
        if (leaf.MaxRepetitionLevel > 0)
        {
            RleHybridEncoder.EncodeWithLength(_page, repetitions, RleHybridEncoder.BitWidth(leaf.MaxRepetitionLevel));
        }

        if (leaf.MaxDefinitionLevel > 0)
        {
            RleHybridEncoder.EncodeWithLength(_page, definitions, RleHybridEncoder.BitWidth(leaf.MaxDefinitionLevel));
        }
    }

    /// <summary>Writes the data page built in <see cref="_page"/> and adds the chunk to the row group.</summary>
    private void Finish(Stream file, ParquetRowGroupWriter rowGroup, DataField leaf, ColumnChunk chunk, ReadOnlySpan<int> repetitions,
        int encoding)
    {
        var meta = chunk.MetaData!;
        meta.DataPageOffset = file.Position;
        WritePage(file, meta, _page.Written, PageHeaderWriter.DataPage, (int)meta.NumValues, encoding);
        _page.Trim(KeepBytes);
        var rows = leaf.MaxRepetitionLevel > 0 ? repetitions.Count(0) : (int)meta.NumValues;
        RowGroupColumns.Add(rowGroup, chunk, rows);
    }

    private void WritePage(Stream file, ColumnMetaData meta, ReadOnlySpan<byte> page, int type, int count, int encoding)
    {
        var stored = compressor.Compress(page);
        _header.Reset();
        if (type == PageHeaderWriter.DictionaryPage)
        {
            PageHeaderWriter.Dictionary(_header, page.Length, stored.Length, count);
        }
        else
        {
            PageHeaderWriter.Data(_header, page.Length, stored.Length, count, encoding);
        }

        file.Write(_header.Written);
        file.Write(stored);
        meta.TotalUncompressedSize += _header.Length + page.Length;
        meta.TotalCompressedSize += _header.Length + stored.Length;
    }

    /// <summary>PLAIN text: each value's length in 4 little-endian bytes, then its bytes.</summary>
    private void PlainText(Utf8Column values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            var span = _page.GetSpan(4 + value.Length);
            BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
            value.CopyTo(span[4..]);
            _page.Advance(4 + value.Length);
        }
    }

    /// <summary>PLAIN booleans: one bit each, least significant first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackBits(ReadOnlySpan<bool> flags)
    {
        var bytes = _page.GetSpan((flags.Length + 7) / 8);
        for (var i = 0; i < flags.Length; i += 8)
        {
            var packed = 0;
            for (var bit = 0; bit < 8 && i + bit < flags.Length; bit++)
            {
                packed |= (flags[i + bit] ? 1 : 0) << bit;
            }

            bytes[i / 8] = (byte)packed;
        }

        _page.Advance((flags.Length + 7) / 8);
    }

    public void Dispose() => compressor.Dispose();
}
