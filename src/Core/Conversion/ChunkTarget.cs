using Parquet;
using Parquet.Schema;

namespace PipelineOps.Conversion;

/// <summary>
/// Where a row group's column chunks go: numbers, booleans and times through Parquet.Net's row group writer, text
/// through the converter's own <see cref="TextChunkWriter"/> into the same file. Columns are written in schema order
/// whichever way each goes.
/// </summary>
internal sealed class ChunkTarget(Stream file, ParquetRowGroupWriter rowGroup, TextChunkWriter text, CancellationToken cancellationToken)
{
    public ParquetRowGroupWriter RowGroup => rowGroup;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>A leaf's values with explicit levels, through Parquet.Net.</summary>
    public void Write<T>(DataField leaf, ReadOnlyMemory<T> values, ReadOnlyMemory<int>? definitions, ReadOnlyMemory<int>? repetitions)
        where T : struct =>
        rowGroup.WriteAllPartsAsync(leaf, values, definitions, repetitions, cancellationToken).GetAwaiter().GetResult();

    /// <summary>A text leaf's UTF-8 values, as they are.</summary>
    public void WriteText(DataField leaf, in TextChunk chunk)
    {
        cancellationToken.ThrowIfCancellationRequested();
        text.Write(file, rowGroup, leaf, chunk);
    }
}
