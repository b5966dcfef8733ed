namespace PipelineOps.Conversion;

/// <summary>How far the conversion of one source has come.</summary>
/// <param name="Source">The source being converted.</param>
/// <param name="Pass">1: learning the columns (from the head of a larger file, or from all of it); 2: writing.</param>
/// <param name="BytesRead">Bytes of the (decompressed) content read in this pass.</param>
/// <param name="BytesTotal">The source's size, when known (not for gzip content).</param>
/// <param name="Rows">Records written so far.</param>
public readonly record struct ConversionProgress(string Source, int Pass, long BytesRead, long? BytesTotal, long Rows);
