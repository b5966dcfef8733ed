namespace PipelineOps.Conversion;

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
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
    public IReadOnlyList<string> Outputs { get; init; } = JoinedList<string>.Of(Outputs);

    /// <summary>Where quarantined lines of this source went, when there were any.</summary>
    public string? RejectsFile { get; init; }

    /// <summary>The source's file name.</summary>
    public string Name => System.IO.Path.GetFileName(Source);

    /// <summary>Records left out by -TypeFilter.</summary>
    public long Filtered { get; init; }

    /// <summary>Records whose time field held something that is not a time ("not-a-time", a number): they were
    /// written, dated by the file name's date (<see cref="BadTimeDate"/>) or, without one, to date=__HIVE_DEFAULT_PARTITION__;
    /// or, with -BadTimePolicy Quarantine, left out and written to the rejects file.</summary>
    public long BadTimes { get; init; }

    /// <summary>The date records with an unreadable time were filed under, when the file name carries one
    /// (-BadTimePolicy FileDate).</summary>
    public DateTime? BadTimeDate { get; init; }

    /// <summary>What was done with records whose time is not a time: filed by the file name's date, or quarantined.</summary>
    internal BadTimePolicy BadTimePolicy { get; init; }

    /// <summary>True when a present time field could not be read as a time (missing or null times are not counted).</summary>
    internal static bool IsUnreadableTime(in FieldValue value) =>
        value.Time is null && value.Kind is not (ValueKind.Missing or ValueKind.Null);

    /// <summary>A converted source as the user should read it: nothing written because -TypeFilter left every record
    /// out is Skipped with that reason, not "Converted, 0 rows"; unreadable times are named in the Reason.</summary>
    internal static ConversionResult Settled(ConversionResult result, string timeField)
    {
        var notes = new List<string>();
        if (result.Reason is { } reason)
        {
            notes.Add(reason);
        }

        if (result.BadTimes > 0)
        {
            var where = result.BadTimePolicy == BadTimePolicy.Quarantine ? $"quarantined in {result.RejectsFile}"
                : result.BadTimeDate is { } date ? $"filed under the file name's date {date:yyyy-MM-dd}" : "filed under no date";
            notes.Add($"{result.BadTimes} record(s) with an unreadable '{timeField}' {where}");
        }

        if (result.Outputs.Count == 0 && result.Rows == 0 && result.Filtered > 0)
        {
            return result with
            {
                Status = ConversionStatus.Skipped,
                Reason = $"all {result.Filtered:N0} record(s) were left out by -TypeFilter; nothing was written",
            };
        }

        return result with { Reason = notes.Count == 0 ? null : string.Join("; ", notes) };
    }

    /// <summary>What the user should know about a conversion that succeeded (a field shadowed by a partition folder).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Columns of the dataset's schema this source widened (see <see cref="DatasetSchema"/>): files written
    /// before keep the narrower kind. Empty when nothing changed.</summary>
    public IReadOnlyList<string> SchemaChanges { get; init; } = [];

    public override string ToString() => Source;
}
