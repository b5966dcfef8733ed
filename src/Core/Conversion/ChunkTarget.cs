using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// Where a row group's column chunks go: written by a <see cref="ChunkWriter"/> into a stream (the file itself, or
/// memory when two parts of a row group are encoded at once), then recorded in the Parquet.Net row group, in schema
/// order, by <see cref="AddTo"/>.
/// </summary>
internal sealed class ChunkTarget(Stream output, ChunkWriter chunks, CancellationToken cancellationToken)
{
    private readonly List<(DataField Leaf, ColumnChunk Chunk, long Rows)> _written = [];

    public Stream Output => output;

    /// <summary>A leaf's non-null numbers or booleans, with a definition level per entry (and a repetition level in lists).</summary>
    public void Write<T>(DataField leaf, ReadOnlySpan<T> values, ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions = default)
        where T : unmanaged
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (chunk, rows) = chunks.WriteValues(output, leaf, values, definitions, repetitions);
        _written.Add((leaf, chunk, rows));
    }

    /// <summary>A text leaf's UTF-8 values, as they are.</summary>
    public void WriteText(DataField leaf, in TextChunk chunk)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (written, rows) = chunks.WriteText(output, leaf, chunk);
        _written.Add((leaf, written, rows));
    }

    /// <summary>Records the chunks written so far in <paramref name="rowGroup"/>, their positions moved by
    /// <paramref name="shift"/>: where the output's first byte lands in the file (0 when the output is the file).</summary>
    public void AddTo(ParquetRowGroupWriter rowGroup, long shift)
    {
        foreach (var (leaf, chunk, rows) in _written)
        {
            if (shift != 0)
            {
                var meta = chunk.MetaData!;
                chunk.FileOffset += shift;
                meta.DataPageOffset += shift;
                meta.DictionaryPageOffset += shift; // stays null without a dictionary
            }

            RowGroupColumns.Add(rowGroup, leaf, chunk, rows);
        }

        _written.Clear();
    }
}
