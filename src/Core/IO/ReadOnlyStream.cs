namespace PipelineOps.IO;

/// <summary>
/// A stream that is only read, front to back: the taps, limits and wrappers here that pass another stream's bytes on.
/// A subclass gives <see cref="Read(Span{byte})"/> and, where it knows them, <see cref="Stream.Position"/> and
/// <see cref="Stream.Length"/>; seeking and writing are not supported. Disposing it disposes <see cref="Inner"/>
/// unless it was given with leaveOpen.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    private readonly Stream? _inner;
    private readonly bool _leaveOpen;

    /// <summary>For a stream that reads something of its own making and disposes it itself.</summary>
    protected ReadOnlyStream()
    {
    }

    protected ReadOnlyStream(Stream inner, bool leaveOpen = false)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The stream this one reads.</summary>
    protected Stream Inner => _inner ?? throw new InvalidOperationException("this stream was made without an inner stream");
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner?.Dispose();
        }

        base.Dispose(disposing);
    }
}
