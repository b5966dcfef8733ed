using System.Runtime.CompilerServices;

namespace PipelineOps.Conversion;

/// <summary>
/// One column's values for a row group as UTF-8 bytes in one growing buffer, a null as no bytes at all. Appending is
/// a copy, so the parsing thread does no more than that; decoding waits for the encoder thread.
/// </summary>
internal sealed class Utf8Values
{
    private byte[] _bytes = new byte[64 * 1024];
    private int _used;

    // Where each value's bytes end; a null's entry is the complement (~) of that position, so it is negative.
    private int[] _ends = new int[1024];

    public int Count { get; private set; }

    /// <summary>All values' bytes, back to back.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _used);

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

    /// <summary>Where value <paramref name="index"/> starts in <see cref="Bytes"/>, and how long it is (0 for a null).</summary>
    public (int Start, int Length) Range(int index)
    {
        var start = index == 0 ? 0 : End(index - 1);
        return (start, End(index) - start);
    }

    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var (start, length) = Range(index);
            return _bytes.AsSpan(start, length);
        }
    }

    /// <summary>Value <paramref name="index"/>'s bytes, valid until <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Memory(int index)
    {
        var (start, length) = Range(index);
        return _bytes.AsMemory(start, length);
    }

    private int End(int index) => _ends[index] is var end && end < 0 ? ~end : end;

    public void Clear()
    {
        _used = 0;
        Count = 0;
    }
}
