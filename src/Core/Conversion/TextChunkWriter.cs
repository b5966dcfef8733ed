using System.Buffers.Binary;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>A text leaf's values for one row group, as <see cref="TextChunkWriter"/> writes them.</summary>
/// <param name="Values">The non-null values, in order.</param>
/// <param name="Definitions">A definition level per entry (nulls, empty lists and values alike).</param>
/// <param name="Repetitions">A repetition level per entry, or empty for a leaf outside lists.</param>
/// <param name="Dictionary">When set, the values are written as indexes into it (<paramref name="Indexes"/>).</param>
internal readonly record struct TextChunk(
    Utf8Column Values,
    ReadOnlyMemory<int> Definitions,
    ReadOnlyMemory<int> Repetitions,
    TextDictionary? Dictionary = null,
    ReadOnlyMemory<int> Indexes = default);

/// <summary>
/// Writes a text (BYTE_ARRAY) column chunk straight into the file a Parquet.Net writer is writing, taking the UTF-8
/// bytes as they are: Parquet.Net 6.1 takes text only as UTF-16 and builds dictionaries only from that, so writing
/// these pages ourselves saves decoding every value to UTF-16, the library's encoding back, its hashing of each value
/// and its statistics pass. A chunk is a dictionary page and one data page of indexes, or one plain data page; levels
/// are RLE/bit-packed, pages compressed with the file's codec (<see cref="PageCompressor"/>). One per encoder lane:
/// its buffers are reused chunk after chunk.
/// </summary>
internal sealed class TextChunkWriter(PageCompressor compressor) : IDisposable
{
    private const int KeepBytes = 4 << 20;

    private readonly PageBuffer _page = new();
    private readonly PageBuffer _header = new(64);

    public CompressionMethod Method => compressor.Method;

    /// <summary>Writes the chunk at the file's position and adds it to <paramref name="rowGroup"/>; returns it so its
    /// statistics can be set.</summary>
    public ColumnChunk Write(Stream file, ParquetRowGroupWriter rowGroup, DataField leaf, TextChunk chunk)
    {
        RowGroupColumns.CheckNext(rowGroup, leaf);
        var levels = chunk.Definitions.Length;
        var meta = new ColumnMetaData
        {
            Type = Parquet.Meta.Type.BYTE_ARRAY,
            PathInSchema = leaf.Path.ToList(),
            Codec = (CompressionCodec)compressor.Method,
            NumValues = levels,
            Statistics = new Statistics { NullCount = levels - chunk.Values.Count },
            Encodings = chunk.Dictionary is null ? [Encoding.PLAIN, Encoding.RLE] : [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY],
        };
        var result = new ColumnChunk { FileOffset = file.Position, MetaData = meta };

        if (chunk.Dictionary is { } dictionary)
        {
            meta.DictionaryPageOffset = file.Position;
            WritePage(file, meta, dictionary.Plain, (header, stored) => PageHeaderWriter.Dictionary(header, dictionary.Plain.Length, stored, dictionary.Count));
        }

        _page.Reset();
        if (!chunk.Repetitions.IsEmpty)
        {
            RleHybridEncoder.EncodeWithLength(_page, chunk.Repetitions.Span, RleHybridEncoder.BitWidth(leaf.MaxRepetitionLevel));
        }

        RleHybridEncoder.EncodeWithLength(_page, chunk.Definitions.Span, RleHybridEncoder.BitWidth(leaf.MaxDefinitionLevel));
        int encoding;
        if (chunk.Dictionary is { } used)
        {
            var width = RleHybridEncoder.BitWidth(used.Count - 1);
            _page.GetSpan(1)[0] = (byte)width;
            _page.Advance(1);
            RleHybridEncoder.Encode(_page, chunk.Indexes.Span, width);
            encoding = PageHeaderWriter.RleDictionary;
        }
        else
        {
            var values = chunk.Values;
            for (var i = 0; i < values.Count; i++)
            {
                var value = values[i];
                var span = _page.GetSpan(4 + value.Length);
                BinaryPrimitives.WriteInt32LittleEndian(span, value.Length);
                value.CopyTo(span[4..]);
                _page.Advance(4 + value.Length);
            }

            encoding = PageHeaderWriter.Plain;
        }

        meta.DataPageOffset = file.Position;
        WritePage(file, meta, _page.Written, (header, stored) => PageHeaderWriter.Data(header, _page.Length, stored, levels, encoding));
        _page.Trim(KeepBytes);

        var rows = chunk.Repetitions.IsEmpty ? levels : chunk.Repetitions.Span.Count(0);
        RowGroupColumns.Add(rowGroup, result, rows);
        return result;
    }

    private void WritePage(Stream file, ColumnMetaData meta, ReadOnlySpan<byte> page, Action<PageBuffer, int> header)
    {
        var stored = compressor.Compress(page);
        _header.Reset();
        header(_header, stored.Length);
        file.Write(_header.Written);
        file.Write(stored);
        meta.TotalUncompressedSize += _header.Length + page.Length;
        meta.TotalCompressedSize += _header.Length + stored.Length;
    }

    public void Dispose() => compressor.Dispose();
}
