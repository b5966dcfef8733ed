using System.IO.Compression;

namespace PipelineOps.IO;

/// <summary>
/// The decompressed content of a gzip file, every member in turn, that ends with an error rather than quietly when
/// bytes follow the last member. GZipStream stops at the first byte after a member that does not start another one
/// and reports a clean end; it then never asks its input for the end of the file, which is how this stream knows.
/// </summary>
public sealed class GzipContentStream : ReadOnlyStream
{
    private readonly Func<Stream> _open;
    private readonly CompressedTap _tap;
    private readonly GZipStream _gzip;
    private bool _checked;

    /// <param name="open">Opens the compressed bytes from their start (again, to find where trailing data begins).</param>
    public GzipContentStream(Func<Stream> open)
    {
        _open = open;
        _tap = new CompressedTap(open(), long.MaxValue);
        _gzip = new GZipStream(_tap, CompressionMode.Decompress);
    }

    public override int Read(Span<byte> buffer)
    {
        var read = _gzip.Read(buffer);
        if (read == 0 && buffer.Length > 0 && !_checked)
        {
            _checked = true;
            if (!_tap.SawEnd)
            {
                var start = TrailingDataStart(_tap.Handed - _tap.LastRead);
                throw new GzipTrailingDataException(start);
            }
        }

        return read;
    }

    /// <summary>
    /// Decompresses again, one compressed byte at a time from where the last chunk began: the decompressor takes
    /// exactly the bytes of its members and then one more, the first that starts no member (or two, when that byte
    /// is the first of a member's magic number and the next is not its second).
    /// </summary>
    private long TrailingDataStart(long slowFrom)
    {
        using var tap = new CompressedTap(_open(), slowFrom);
        try
        {
            using var gzip = new GZipStream(tap, CompressionMode.Decompress);
            var sink = new byte[1 << 16];
            while (gzip.Read(sink) > 0)
            {
            }

            return tap.Handed - 1;
        }
        catch (InvalidDataException)
        {
            return tap.Handed - 2;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Counts the compressed bytes handed on and whether the end of the file was reached; from
    /// <c>slowFrom</c> on, hands one byte per read.</summary>
    private sealed class CompressedTap(Stream inner, long slowFrom) : ReadOnlyStream(inner)
    {
        public long Handed { get; private set; }

        public int LastRead { get; private set; }

        public bool SawEnd { get; private set; }

        public override long Position
        {
            get => Handed;
            set => throw new NotSupportedException();
        }

        public override int Read(Span<byte> buffer)
        {
            if (Handed >= slowFrom && buffer.Length > 1)
            {
                buffer = buffer[..1];
            }

            var read = Inner.Read(buffer);
            Handed += read;
            LastRead = read;
            SawEnd |= read == 0 && buffer.Length > 0;
            return read;
        }
    }
}

/// <summary>Bytes follow the last gzip member: the file was damaged or something was appended to it. (Not an
/// InvalidDataException, which is sealed: the members themselves decompressed cleanly.)</summary>
public sealed class GzipTrailingDataException(long offset)
    : IOException($"data that is not gzip follows the last gzip member, from byte offset {offset:N0}")
{
    /// <summary>Where the trailing bytes begin in the compressed file.</summary>
    public long Offset { get; } = offset;
}
