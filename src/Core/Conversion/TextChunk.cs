namespace PipelineOps.Conversion;

/// <summary>A text leaf's values for one row group, as <see cref="ChunkWriter"/> writes them.</summary>
/// <param name="Values">The non-null values, in order.</param>
/// <param name="Definitions">A definition level per entry (nulls, empty lists and values alike).</param>
/// <param name="Repetitions">A repetition level per entry, or empty for a leaf outside lists.</param>
/// <param name="Range">The values' smallest and largest, for the chunk's statistics.</param>
/// <param name="Dictionary">When set, the values are written as indexes into it (<paramref name="Indexes"/>).</param>
internal readonly record struct TextChunk(
    Utf8Column Values,
    ReadOnlyMemory<int> Definitions,
    ReadOnlyMemory<int> Repetitions,
    Utf8Range Range,
    TextDictionary? Dictionary = null,
    ReadOnlyMemory<int> Indexes = default);
