namespace PipelineOps.Files;

/// <summary>How Test-FileActive decides.</summary>
public sealed record FileActivityOptions
{
    /// <summary>Default quiet period. A collector flushes at least every few seconds while data flows
    /// (PipelineOps' own: 5 s), so five minutes without a write is a safe sign it has moved on.</summary>
    public static readonly TimeSpan DefaultQuietPeriod = TimeSpan.FromMinutes(5);

    /// <summary>A file written less than this long ago is RecentlyModified. Zero turns the rule off.</summary>
    public TimeSpan QuietPeriod { get; init; } = DefaultQuietPeriod;

    /// <summary>When true, the Latest rule never fires.</summary>
    public bool IncludeLatest { get; init; }

    /// <summary>When set, every file is measured twice this far apart and Growing fires on any change.</summary>
    public TimeSpan? StabilityWindow { get; init; }

    /// <summary>When false, the OpenForWrite rule is skipped (and WriterCheck says Unavailable).</summary>
    public bool CheckWriters { get; init; } = true;
}
