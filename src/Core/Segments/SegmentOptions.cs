using PipelineOps.Conversion;

namespace PipelineOps.Segments;

/// <summary>How a collector writes Parquet segments (Start-Collector -Format Parquet).</summary>
public sealed record SegmentOptions
{
    public const long DefaultSegmentMaxSize = 100L * 1024 * 1024;

    /// <summary>Record fields whose values make the Hive folders below the stream: exchange=x/product_id=y.</summary>
    public IReadOnlyList<string> PartitionBy { get; init; } = [];

    /// <summary>A segment is closed into ready/ when its row journal reaches this many bytes.</summary>
    public long SegmentMaxSize { get; init; } = DefaultSegmentMaxSize;

    /// <summary>Bytes of records buffered across all partitions; beyond it the largest buffer is flushed early.</summary>
    public long MaxBufferSize { get; init; } = 16L * 1024 * 1024;

    /// <summary>Segment files held open at once; the least recently written is closed (and reopened on demand).</summary>
    public int MaxOpenSegments { get; init; } = 256;

    /// <summary>Column types by field name, as Convert-JsonlToParquet -Schema.</summary>
    public IReadOnlyDictionary<string, ColumnKind> Schema { get; init; } = new Dictionary<string, ColumnKind>();

    public bool SchemaOrderGiven { get; init; }

    public ParquetCompression Compression { get; init; } = ParquetCompression.Snappy;
}
