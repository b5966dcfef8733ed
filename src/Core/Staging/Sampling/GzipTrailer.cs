using System.Buffers.Binary;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// The BCL's GZipStream reports a cut-off gzip file as a clean end of data. When a sample read a gzip source to its
/// end, this checks the trailer: a whole file ends with the size of its (last) member's data, modulo 2^32. A
/// multi-member file whose last member is not all of the data is reported as truncated too; samplers only read to the
/// end of small files, so that costs little.
/// </summary>
public static class GzipTrailer
{
    public static bool Matches(FileStream compressed, long decompressedLength)
    {
        if (compressed.Length < 18)
        {
            return false;
        }

        Span<byte> size = stackalloc byte[4];
        compressed.Seek(-4, SeekOrigin.End);
        compressed.ReadExactly(size);
        return BinaryPrimitives.ReadUInt32LittleEndian(size) == (uint)decompressedLength;
    }
}

/// <summary>Counts what is read through it.</summary>
public sealed class CountingStream(Stream inner) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        BytesRead += read;
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
