using System.Text;
using Parquet;

namespace PipelineOps.Conversion;

/// <summary>
/// The distinct values of a low-cardinality text column (type, product_id, side), decoded once to the UTF-16 that
/// Parquet.Net 6.1 dictionary-encodes: a row group whose values are few and repeated is handed over as references to
/// these, and is written as a dictionary page plus small indexes rather than every value's bytes. A row group with
/// too many distinct values is written as plain UTF-8 (<see cref="Utf8Twin"/>). The values persist from row group to
/// row group, so a column's few values are decoded once per file.
/// </summary>
internal sealed class TextDictionary
{
    /// <summary>The most distinct values a dictionary holds; a column with more is high-cardinality.</summary>
    private const int MaxEntries = 4096;

    /// <summary>A row group is dictionary-encoded when at most one value in this many is new to it.</summary>
    private const int RepeatsPerValue = 8;

    private readonly Dictionary<ReadOnlyMemory<byte>, string> _decoded = new(new BytesComparer());
    private int _misses;

    /// <summary>
    /// Maps a row group's values (a null is a value the source did not give) to their decoded text, or returns false
    /// (and maps nothing) when the row group has too many distinct values for a dictionary to pay. After three such
    /// row groups the column is taken as high-cardinality and not tried again.
    /// </summary>
    public bool TryMap(Utf8Values values, out string?[] mapped)
    {
        mapped = [];
        if (_misses >= 3 || values.Count < 2 * RepeatsPerValue)
        {
            return false;
        }

        var texts = new string?[values.Count];
        var limit = Math.Max(16, values.Count / RepeatsPerValue);
        var added = 0;
        for (var i = 0; i < values.Count; i++)
        {
            if (values.IsNull(i))
            {
                continue;
            }

            var value = values.Memory(i);
            if (!_decoded.TryGetValue(value, out var text))
            {
                if (++added > limit || _decoded.Count >= MaxEntries)
                {
                    _misses++;
                    return false;
                }

                // The key must outlive the row group's buffer, which is reused.
                var key = value.ToArray();
                text = Encoding.UTF8.GetString(key);
                _decoded.Add(key, text);
            }

            texts[i] = text;
        }

        mapped = texts;
        return true;
    }

    /// <summary>
    /// A writer's options with the dictionary hint for its text columns: Parquet.Net 6.1 builds a dictionary only for
    /// string values of fields so hinted. Byte-array values (the plain path) are written as they are whatever the hint.
    /// </summary>
    public static ParquetOptions Hinted(ParquetOptions options, IEnumerable<TextBuffer> textColumns)
    {
        var hinted = new ParquetOptions
        {
            CompressionMethod = options.CompressionMethod,
            CompressionLevel = options.CompressionLevel,
            DictionaryEncodingThreshold = options.DictionaryEncodingThreshold,
            DictionaryEncodingSampleSize = options.DictionaryEncodingSampleSize,
        };
        foreach (var column in textColumns)
        {
            hinted.ColumnEncodingHints[column.Field.Path.ToString()] = EncodingHint.Dictionary;
            column.DictionaryHinted = true;
        }

        return hinted;
    }

    private sealed class BytesComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> value)
        {
            var hash = new HashCode();
            hash.AddBytes(value.Span);
            return hash.ToHashCode();
        }
    }
}
