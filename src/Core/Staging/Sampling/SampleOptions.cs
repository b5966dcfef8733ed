namespace PipelineOps.Staging.Sampling;

/// <summary>How much a sample takes, and the caps that keep hostile inputs harmless.</summary>
public sealed record SampleOptions
{
    /// <summary>Records, lines, elements or rows per sample.</summary>
    public int Rows { get; init; } = 100;

    /// <summary>At most this much source content (decompressed) is read for one sample; a sample stops short rather
    /// than read further (a single huge line, an endless quoted CSV field, a decompression bomb).</summary>
    public long MaxReadBytes { get; init; } = 64L << 20;

    /// <summary>A zip member is copied into the sample only if its size is at most this.</summary>
    public long MaxMemberBytes { get; init; } = 1L << 20;

    /// <summary>A zip member is copied only if it expands at most this many times (zip bombs).</summary>
    public double MaxCompressionRatio { get; init; } = 100;

    /// <summary>A JSON document that is not an array is copied whole only up to this size; larger, only metadata.</summary>
    public long MaxDocumentBytes { get; init; } = 1L << 20;

    /// <summary>Archive listings stop after this many members.</summary>
    public int MaxListedMembers { get; init; } = 1_000_000;

    /// <summary>Flush each sample to disk before its rename. A caller writing many samples turns this off and flushes
    /// the file system once per batch instead (the sampler pass does, before it moves its state on).</summary>
    public bool FlushEach { get; init; } = true;

    /// <summary>Follow a symbolic link named as the source. Off, a link is refused (opened with O_NOFOLLOW).</summary>
    public bool FollowLinks { get; init; } = true;

    /// <summary>A canonical folder the source must really lie in (links resolved on the opened file), with one name
    /// only: a hard link could be a second name of a file outside it. Null: anywhere.</summary>
    public string? Within { get; init; }

    /// <summary>Memory a Parquet sample may take: a column chunk or page that declares more (uncompressed) is not
    /// decoded, so a small file that claims gigabytes is refused before anything is allocated.</summary>
    public long MaxMemoryBytes { get; init; } = 256L << 20;

    /// <summary>Resample even when the sample is up to date.</summary>
    public bool Force { get; init; }
}
