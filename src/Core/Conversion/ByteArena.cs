using System.Text.Json;

namespace PipelineOps.Conversion;

/// <summary>
/// The UTF-8 bytes of a row group's values in one reusable buffer; each value is a slice of it, so a million
/// values cost no million objects (which the GC would otherwise promote and collect again and again).
/// </summary>
internal sealed class ByteArena
{
    private byte[] _bytes = new byte[16 * 1024];
    private int _used;

    public ReadOnlyMemory<byte> Store(ReadOnlySpan<byte> bytes)
    {
        var slot = Reserve(bytes.Length);
        bytes.CopyTo(slot.Span);
        return slot;
    }

    /// <summary>The unescaped UTF-8 of the string the reader is on.</summary>
    public ReadOnlyMemory<byte> StoreString(ref Utf8JsonReader reader)
    {
        // Unescaped text is never longer than its escaped form.
        var raw = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        var slot = Reserve(raw);
        var written = reader.CopyString(slot.Span);
        _used -= raw - written;
        return slot[..written];
    }

    private Memory<byte> Reserve(int length)
    {
        if (_used + length > _bytes.Length)
        {
            // Earlier slices keep the old buffer alive until the row group is written; later ones go in the new one.
            _bytes = new byte[Math.Max(_bytes.Length * 2, length)];
            _used = 0;
        }

        var slot = _bytes.AsMemory(_used, length);
        _used += length;
        return slot;
    }

    public void Reset() => _used = 0;
}
