namespace PipelineOps.IO;

/// <summary>Reads a stream only up to a fixed length: a file that grows while it is read looks as it did at the start.</summary>
public sealed class LengthLimitedStream(Stream inner, long length) : ReadOnlyStream(inner)
{
    private long _remaining = length;

    public override long Length { get; } = length;

    public override long Position
    {
        get => Length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_remaining <= 0)
        {
            return 0;
        }

        var read = Inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        _remaining -= read;
        return read;
    }
}
