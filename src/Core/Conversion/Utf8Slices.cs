namespace PipelineOps.Conversion;

/// <summary>
/// A text column's values as Parquet.Net writes them with explicit levels: the non-null values as slices of the
/// column's own UTF-8 buffer (no copy) and a definition level per row. Reused row group after row group; the slices
/// stay valid until the buffer is cleared.
/// </summary>
internal sealed class Utf8Slices
{
    private ReadOnlyMemory<byte>[] _values = [];
    private int[] _definitions = [];

    public (ReadOnlyMemory<ReadOnlyMemory<byte>> Values, ReadOnlyMemory<int> Definitions) Slice(Utf8Values source, int present)
    {
        if (_definitions.Length < source.Count)
        {
            var length = Math.Max(source.Count, _definitions.Length * 2);
            _values = new ReadOnlyMemory<byte>[length];
            _definitions = new int[length];
        }

        var count = 0;
        for (var i = 0; i < source.Count; i++)
        {
            if (source.IsNull(i))
            {
                _definitions[i] = present - 1;
            }
            else
            {
                _definitions[i] = present;
                _values[count++] = source.Memory(i);
            }
        }

        return (new ReadOnlyMemory<ReadOnlyMemory<byte>>(_values, 0, count), new ReadOnlyMemory<int>(_definitions, 0, source.Count));
    }
}
