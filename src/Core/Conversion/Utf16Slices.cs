using System.Buffers;
using System.Text;

namespace PipelineOps.Conversion;

/// <summary>
/// Decodes a column's UTF-8 values into UTF-16 slices of one reusable char buffer, the form Parquet.Net takes string
/// values in. The slices stay valid until the next <see cref="Decode"/>.
/// </summary>
internal sealed class Utf16Slices
{
    private char[] _chars = [];
    private ReadOnlyMemory<char>?[] _values = [];

    public ReadOnlyMemory<ReadOnlyMemory<char>?> Decode(Utf8Values source)
    {
        var bytes = source.Bytes;
        if (_chars.Length < bytes.Length)
        {
            // UTF-8 never takes fewer bytes than UTF-16 takes chars.
            _chars = new char[Math.Max(bytes.Length, _chars.Length * 2)];
        }

        if (_values.Length < source.Count)
        {
            _values = new ReadOnlyMemory<char>?[Math.Max(source.Count, _values.Length * 2)];
        }

        // Mostly ASCII: then one pass widens every value at once and each keeps its byte offsets.
        var ascii = Ascii.ToUtf16(bytes, _chars, out _) == OperationStatus.Done;
        var position = 0;
        for (var i = 0; i < source.Count; i++)
        {
            if (source.IsNull(i))
            {
                _values[i] = null;
            }
            else if (ascii)
            {
                var (start, length) = source.Range(i);
                _values[i] = new ReadOnlyMemory<char>(_chars, start, length);
            }
            else
            {
                var written = Encoding.UTF8.GetChars(source[i], _chars.AsSpan(position));
                _values[i] = new ReadOnlyMemory<char>(_chars, position, written);
                position += written;
            }
        }

        return new ReadOnlyMemory<ReadOnlyMemory<char>?>(_values, 0, source.Count);
    }
}
