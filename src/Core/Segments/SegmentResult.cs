namespace PipelineOps.Segments;

/// <summary>What Move-OrphanSegment did with one file of active/.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum SegmentAction
{
    /// <summary>A valid Parquet file, moved to ready/ as it was.</summary>
    Moved,

    /// <summary>Its flushed rows were written into a valid Parquet file in ready/ (a row journal, maybe cut short).</summary>
    Salvaged,

    /// <summary>Nothing in it could be used: kept in quarantine/, never deleted.</summary>
    Quarantined,

    /// <summary>A live writer holds it; left alone.</summary>
    SkippedActive,
}

/// <param name="Source">The file in active/.</param>
/// <param name="Destination">Where its rows are now (ready/), or where it was kept (quarantine/); null when skipped.</param>
/// <param name="Rows">Rows now in ready/ from it.</param>
/// <param name="Action">Moved, Salvaged, Quarantined or SkippedActive.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record SegmentResult(string Source, string? Destination, long Rows, SegmentAction Action, string? Reason)
{
    /// <summary>Every file written to ready/ (a journal whose records span two dates makes two).</summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>Where the original was kept when it was cut short (its torn tail is never a flushed row).</summary>
    public string? Quarantined { get; init; }

    public override string ToString() => Source;
}
