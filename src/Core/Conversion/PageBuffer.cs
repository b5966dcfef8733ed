using System.Buffers;

namespace PipelineOps.Conversion;

/// <summary>A growing byte buffer, reused page after page, whose written bytes can still be patched (a length
/// written before what it measures).</summary>
internal sealed class PageBuffer : IBufferWriter<byte>
{
    private byte[] _bytes;

    public PageBuffer(int capacity = 64 * 1024) => _bytes = new byte[capacity];

    public int Length { get; private set; }

    public Span<byte> Written => _bytes.AsSpan(0, Length);

    public void Advance(int count) => Length += count;

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (Length + Math.Max(sizeHint, 1) > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + Math.Max(sizeHint, 1)));
        }

        return _bytes.AsSpan(Length);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        GetSpan(sizeHint);
        return _bytes.AsMemory(Length);
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    public void Reset() => Length = 0;

    /// <summary>Gives back a buffer grown far beyond what pages usually need, so one huge row group does not keep its
    /// memory for the rest of the run.</summary>
    public void Trim(int keep)
    {
        if (_bytes.Length > keep && Length <= keep)
        {
            _bytes = new byte[keep];
        }
    }
}
