using Parquet;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// Where a row group's column chunks go: into the file of a Parquet.Net row group, through the converter's own
/// <see cref="ChunkWriter"/>, in schema order.
/// </summary>
internal sealed class ChunkTarget(Stream file, ParquetRowGroupWriter rowGroup, ChunkWriter chunks, CancellationToken cancellationToken)
{
    /// <summary>A leaf's non-null numbers or booleans, with a definition level per entry (and a repetition level in lists).</summary>
    public void Write<T>(DataField leaf, ReadOnlySpan<T> values, ReadOnlySpan<int> definitions, ReadOnlySpan<int> repetitions = default)
        where T : unmanaged
    {
        cancellationToken.ThrowIfCancellationRequested();
        chunks.WriteValues(file, rowGroup, leaf, values, definitions, repetitions);
    }

    /// <summary>A text leaf's UTF-8 values, as they are.</summary>
    public void WriteText(DataField leaf, in TextChunk chunk)
    {
        cancellationToken.ThrowIfCancellationRequested();
        chunks.WriteText(file, rowGroup, leaf, chunk);
    }
}
