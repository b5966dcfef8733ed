namespace PipelineOps.Conversion;

public enum ConversionStatus
{
    Converted,
    UpToDate,
    Skipped,
    Failed,
}

/// <summary>What happened to one source file.</summary>
/// <param name="Source">The JSON-lines file.</param>
/// <param name="Outputs">The Parquet files now holding its records (one per partition).</param>
/// <param name="Rows">Records written.</param>
/// <param name="BadLines">Lines that were not JSON objects (quarantined or skipped).</param>
/// <param name="TornTail">The file ended mid-record; the incomplete last line was left out.</param>
/// <param name="BytesIn">Size of the source.</param>
/// <param name="BytesOut">Total size of the outputs.</param>
/// <param name="Duration">Time spent on this file.</param>
/// <param name="Status">Converted, UpToDate, Skipped or Failed.</param>
/// <param name="Reason">Why it was skipped or failed, or notes on a conversion.</param>
public sealed record ConversionResult(
    string Source,
    IReadOnlyList<string> Outputs,
    long Rows,
    long BadLines,
    bool TornTail,
    long BytesIn,
    long BytesOut,
    TimeSpan Duration,
    ConversionStatus Status,
    string? Reason)
{
    /// <summary>Where quarantined lines of this source went, when there were any.</summary>
    public string? RejectsFile { get; init; }

    /// <summary>The source's file name.</summary>
    public string Name => System.IO.Path.GetFileName(Source);

    /// <summary>Records left out by -TypeFilter.</summary>
    public long Filtered { get; init; }

    /// <summary>Columns of the dataset's schema this source widened (see <see cref="DatasetSchema"/>): files written
    /// before keep the narrower kind. Empty when nothing changed.</summary>
    public IReadOnlyList<string> SchemaChanges { get; init; } = [];

    public override string ToString() => Source;
}
