using System.Text;

namespace PipelineOps.Conversion;

/// <summary>
/// The characters of a row group's strings in one reusable buffer; each value is a slice of it, so a million
/// values cost no million objects (which the GC would otherwise promote and collect again and again).
/// </summary>
internal sealed class CharArena
{
    private char[] _chars = new char[16 * 1024];
    private int _used;

    public ReadOnlyMemory<char> Store(ReadOnlySpan<byte> utf8)
    {
        var slot = Reserve(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        var written = Encoding.UTF8.GetChars(utf8, slot.Span);
        Return(slot.Length - written);
        return slot[..written];
    }

    /// <summary>Room for up to <paramref name="length"/> characters; give back what is not used with <see cref="Return"/>.</summary>
    public Memory<char> Reserve(int length)
    {
        if (_used + length > _chars.Length)
        {
            // Earlier slices keep the old buffer alive until the row group is written; later ones go in the new one.
            _chars = new char[Math.Max(_chars.Length * 2, length)];
            _used = 0;
        }

        var slot = _chars.AsMemory(_used, length);
        _used += length;
        return slot;
    }

    public void Return(int unused) => _used -= unused;

    public void Reset() => _used = 0;
}
