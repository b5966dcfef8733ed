using System.IO.Compression;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;
using ZstdCompress = SharpCompress.Compressors.ZStandard.CompressionStream;
using ZstdDecompress = SharpCompress.Compressors.ZStandard.DecompressionStream;

namespace PipelineOps.Staging.Sampling;

/// <summary>Single-stream codecs: gzip from the BCL (concatenated members included), bzip2, xz and zstd from SharpCompress.</summary>
public static class Codecs
{
    public static Stream Decompress(Stream source, Codec codec) => codec switch
    {
        Codec.None => source,
        Codec.Gzip => new GZipStream(source, CompressionMode.Decompress, leaveOpen: true),
        Codec.Bzip2 => BZip2Stream.Create(source, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true, leaveOpen: true),
        Codec.Xz => new XZStream(source),
        Codec.Zstd => new ZstdDecompress(source, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    /// <summary>A stream that compresses into <paramref name="sample"/> as the source was compressed. xz has no writer
    /// here, so an xz source's sample is written uncompressed (its name says so).</summary>
    public static Stream Compress(Stream sample, Codec codec) => codec switch
    {
        Codec.None or Codec.Xz => new NonClosing(sample),
        Codec.Gzip => new GZipStream(sample, CompressionLevel.Optimal, leaveOpen: true),
        Codec.Bzip2 => BZip2Stream.Create(sample, SharpCompress.Compressors.CompressionMode.Compress, decompressConcatenated: false, leaveOpen: true),
        Codec.Zstd => new ZstdCompress(sample, level: 3, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    /// <summary>Lets the sample be wrapped uniformly: disposing the wrapper leaves the file open for its flush.</summary>
    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
    }
}
