namespace PipelineOps.Staging.Sampling;

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum SampleStatus
{
    /// <summary>A sample was written.</summary>
    Sampled,

    /// <summary>The sample is already there for the source as it is now (same mtime): nothing written.</summary>
    UpToDate,

    /// <summary>The format is not one a sample can be cut from: a .meta.json with size, mtime and detected type was written.</summary>
    Unsupported,

    /// <summary>No sample: the source is unreadable, corrupt, truncated, hostile or outside the dataset. Reason says which.</summary>
    Failed,
}

/// <summary>One source's sample.</summary>
/// <param name="Source">The sampled file.</param>
/// <param name="Sample">The sample file written (or already there).</param>
/// <param name="Format">What the source was read as: csv, jsonl, json, parquet, csv.gz, zip, tar, tar.gz, 7z, unknown...</param>
/// <param name="Rows">Records (csv, parquet), lines (jsonl, text), elements (json array) or members listed (archives).</param>
/// <param name="Bytes">The sample's size.</param>
public sealed record SampleResult(string Source, string? Sample, string Format, long Rows, long Bytes, SampleStatus Status, string? Reason)
{
    public override string ToString() => Sample ?? Source;
}
