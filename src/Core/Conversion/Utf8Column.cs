using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PipelineOps.Conversion;

/// <summary>
/// A text leaf's non-null values for one row group: their UTF-8 bytes back to back in one reusable buffer, and where
/// each ends. Four bytes a value beside its text, no object and no slice per value, so a row group of a million
/// values costs its bytes and 4 MB; <see cref="TextChunkWriter"/> writes them from here as they are.
/// </summary>
internal sealed class Utf8Column
{
    private byte[] _bytes = new byte[16 * 1024];
    private int[] _ends = new int[1024];
    private int _used;

    public int Count { get; private set; }

    public ReadOnlySpan<byte> this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            var start = index == 0 ? 0 : _ends[index - 1];
            return _bytes.AsSpan(start, _ends[index] - start);
        }
    }

    /// <summary>Value <paramref name="index"/>'s bytes, valid until <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> Memory(int index)
    {
        var start = index == 0 ? 0 : _ends[index - 1];
        return _bytes.AsMemory(start, _ends[index] - start);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(Reserve(utf8.Length));
        Commit(utf8.Length);
    }

    /// <summary>Adds the unescaped text of the string <paramref name="reader"/> is on.</summary>
    public void AddString(ref Utf8JsonReader reader)
    {
        // Unescaped text is never longer than its escaped form.
        var raw = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        Commit(reader.CopyString(Reserve(raw)));
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

    /// <summary>Takes back the last value added.</summary>
    public void RemoveLast() => Truncate(Count - 1);

    /// <summary>Keeps the first <paramref name="count"/> values only.</summary>
    public void Truncate(int count)
    {
        Count = count;
        _used = count == 0 ? 0 : _ends[count - 1];
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

    /// <summary>The smallest and largest value, by unsigned bytes; slices valid until <see cref="Clear"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public Utf8Range Range()
    {
        var range = default(Utf8Range);
        if (Count == 0)
        {
            return range;
        }

        int min = 0, max = 0;
        for (var i = 1; i < Count; i++)
        {
            var value = this[i];
            if (value.SequenceCompareTo(this[min]) < 0)
            {
                min = i;
            }
            else if (value.SequenceCompareTo(this[max]) > 0)
            {
                max = i;
            }
        }

        range.Observe(Memory(min));
        range.Observe(Memory(max));
        return range;
    }

    public void Clear()
    {
        _used = 0;
        Count = 0;
    }
}
