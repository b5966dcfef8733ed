using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// One column's values for a row group as UTF-8 bytes in one growing buffer, a null as no bytes at all. Appending is
/// a copy; the values are sliced or read when the row group is prepared.
/// </summary>
internal sealed class Utf8Values
{
    private byte[] _bytes = new byte[64 * 1024];
    private int _used;

    // Where each value's bytes end; a null's entry is the complement (~) of that position, so it is negative.
    private int[] _ends = new int[1024];

    public int Count { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Commit(utf8.Length);
    }

    /// <summary>Room for up to <paramref name="length"/> bytes of the next value; <see cref="Commit"/> says how many were used.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int length)
    {
        if (_used + length > _bytes.Length || Count == _ends.Length)
        {
            Grow(length);
        }

        return _bytes.AsSpan(_used, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Commit(int length)
    {
        _used += length;
        _ends[Count++] = _used;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddNull()
    {
        if (Count == _ends.Length)
        {
            Grow(0);
        }

        _ends[Count++] = ~_used;
    }

    private void Grow(int length)
    {
        if (_used + length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + length));
        }

        if (Count == _ends.Length)
        {
            Array.Resize(ref _ends, _ends.Length * 2);
        }
    }

    public bool IsNull(int index) => _ends[index] < 0;

    /// <summary>Value <paramref name="index"/>'s bytes (empty for a null), valid until <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Memory(int index)
    {
        var start = index == 0 ? 0 : End(index - 1);
        return _bytes.AsMemory(start, End(index) - start);
    }

    private int End(int index) => _ends[index] is var end && end < 0 ? ~end : end;

    public void Clear()
    {
        _used = 0;
        Count = 0;
    }
}
