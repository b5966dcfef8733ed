namespace PipelineOps.Conversion;

/// <summary>What to do with a line that is not a JSON object.</summary>
public enum BadLinePolicy
{
    /// <summary>Write it, with file, line number and error, to the destination's _rejects folder and go on.</summary>
    Quarantine,

    /// <summary>Count it (BadLines) and go on without keeping it.</summary>
    Skip,

    /// <summary>Fail the file at the first bad line; its outputs are not written.</summary>
    Fail,
}

/// <summary>What to do with a record whose time field holds something that is not a time ("not-a-time", true).</summary>
public enum BadTimePolicy
{
    /// <summary>Write it under the date in the file name (or date=__HIVE_DEFAULT_PARTITION__ without one), count it
    /// (BadTimes) and mark the Parquet file, so Test-ParquetFile reports it.</summary>
    FileDate,

    /// <summary>Leave it out: it goes to the rejects file with its line number and the reason, and is counted (BadTimes).</summary>
    Quarantine,
}

/// <summary>Parquet page compression.</summary>
public enum ParquetCompression
{
    Snappy,
    Zstd,
    Gzip,
    Lz4,
    None,
}

/// <summary>How JSON-lines files become a partitioned Parquet dataset.</summary>
public sealed record ConversionOptions
{
    public const int DefaultRowGroupSize = 100_000;
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    /// <summary>The dataset root: date=YYYY-MM-DD/ partitions, _rejects/ and _pipelineops/ live here.</summary>
    public required string Destination { get; init; }

    /// <summary>The record field holding its time (ISO-8601 string or Unix epoch seconds/milliseconds).</summary>
    public string TimeField { get; init; } = "time";

    /// <summary>The zone of times written without an offset ("2025-11-20T23:30:00"); UTC unless given, whatever the
    /// machine's zone. Times with an offset or Z, and epoch numbers, are exact either way.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The record field that -TypeFilter matches.</summary>
    public string TypeField { get; init; } = "type";

    /// <summary>When not empty, only records whose type field equals one of these are converted.</summary>
    public IReadOnlySet<string> TypeFilter { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Column types given by the user, by field name. Given fields keep these types: a value that does not
    /// fit is a bad line naming the field. Fields not named here are still inferred and kept.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Schema { get; init; } = new Dictionary<string, ColumnKind>();

    /// <summary>When true, the given schema's fields come first, in the order given; otherwise every column comes
    /// in order of first appearance in the data.</summary>
    public bool SchemaOrderGiven { get; init; }

    /// <summary>Further partition levels below date=, from these record fields (e.g. type, product_id).</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;

    /// <summary>Codec level: Fastest (default), Optimal or SmallestSize.</summary>
    public System.IO.Compression.CompressionLevel CompressionLevel { get; init; } = System.IO.Compression.CompressionLevel.Fastest;

    /// <summary>Rows per row group, and the bound on rows held in memory per file being converted.</summary>
    public int RowGroupSize { get; init; } = DefaultRowGroupSize;

    /// <summary>Bytes of record lines per row group: a row group is written early when its lines reach this much, so
    /// files of long lines stay within memory too (with twice this across a file's partitions).</summary>
    internal int RowGroupBytes { get; init; } = 64 * 1024 * 1024;

    public BadLinePolicy BadLinePolicy { get; init; } = BadLinePolicy.Quarantine;

    public BadTimePolicy BadTimePolicy { get; init; } = BadTimePolicy.FileDate;

    /// <summary>A file with more bad lines than this fails (its outputs are not written). Null: no limit.</summary>
    public long? MaxBadLines { get; init; }

    /// <summary>Lines longer than this are bad lines ("line too long"), never held whole in memory.</summary>
    public int MaxLineBytes { get; init; } = DefaultMaxLineBytes;

    /// <summary>Convert even when the ledger says the source is unchanged.</summary>
    public bool Force { get; init; }

    /// <summary>Read every written file back and fail the result when it disagrees.</summary>
    public bool Validate { get; init; }

    /// <summary>Dictionary-encode text columns whose row groups repeat a few values (on by default; off only to
    /// measure what it gives, as the benchmark does).</summary>
    public bool DictionaryEncoding { get; init; } = true;

    /// <summary>How much of a larger file is read to guess its columns before the single write pass (the write pass
    /// checks every record against the guess and falls back to reading the whole file first when one does not fit).</summary>
    internal long HeadBytes { get; init; } = 4L * 1024 * 1024;
}
