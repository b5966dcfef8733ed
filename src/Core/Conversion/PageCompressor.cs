using System.IO.Compression;
using K4os.Compression.LZ4;
using Parquet;
using Snappier;

namespace PipelineOps.Conversion;

/// <summary>
/// Compresses the pages the converter writes itself with the codec and level the file's other columns get from
/// Parquet.Net (the same libraries and the same level for each <see cref="CompressionLevel"/>). One zstd context is
/// kept and reused page after page rather than made for each page. Not thread-safe: one per encoder lane.
/// </summary>
internal sealed class PageCompressor : IDisposable
{
    private readonly CompressionMethod _method;
    private readonly CompressionLevel _level;
    private ZstdSharp.Compressor? _zstd;
    private byte[] _output = new byte[64 * 1024];

    public PageCompressor(CompressionMethod method, CompressionLevel level)
    {
        if (method is not (CompressionMethod.None or CompressionMethod.Snappy or CompressionMethod.Zstd or CompressionMethod.Gzip or CompressionMethod.Lz4Raw))
        {
            throw new NotSupportedException($"the converter does not write {method} pages");
        }

        _method = method;
        _level = level;
    }

    public CompressionMethod Method => _method;

    /// <summary>The page's bytes as stored: compressed into a buffer reused by the next call, or the page itself.</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> page)
    {
        switch (_method)
        {
            case CompressionMethod.None:
                return page;
            case CompressionMethod.Snappy:
                var snappy = Room(Snappy.GetMaxCompressedLength(page.Length));
                return snappy[..Snappy.Compress(page, snappy)];
            case CompressionMethod.Zstd:
                _zstd ??= new ZstdSharp.Compressor(_level switch
                {
                    CompressionLevel.Optimal => 3,
                    CompressionLevel.SmallestSize => 19,
                    _ => 1, // Fastest and NoCompression, as Parquet.Net maps them
                });
                var zstd = Room(ZstdSharp.Compressor.GetCompressBound(page.Length));
                return zstd[.._zstd.Wrap(page, zstd)];
            case CompressionMethod.Lz4Raw:
                var lz4Level = _level switch
                {
                    CompressionLevel.Optimal => LZ4Level.L11_OPT,
                    CompressionLevel.SmallestSize => LZ4Level.L12_MAX,
                    _ => LZ4Level.L00_FAST,
                };
                var lz4 = Room(LZ4Codec.MaximumOutputSize(page.Length));
                return lz4[..LZ4Codec.Encode(page, lz4, lz4Level)];
            default:
                return Gzip(page);
        }
    }

    private ReadOnlySpan<byte> Gzip(ReadOnlySpan<byte> page)
    {
        using var stream = new MemoryStream(page.Length / 2 + 64);
        using (var gzip = new GZipStream(stream, _level, leaveOpen: true))
        {
            gzip.Write(page);
        }

        return stream.GetBuffer().AsSpan(0, (int)stream.Length);
    }

    private Span<byte> Room(int bound)
    {
        if (_output.Length < bound)
        {
            _output = new byte[Math.Max(bound, _output.Length * 2)];
        }

        return _output;
    }

    public void Dispose() => _zstd?.Dispose();
}
