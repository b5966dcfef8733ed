namespace PipelineOps.Collection;

/// <summary>
/// Where one stream's records go: the JSON-lines file of the period (<see cref="StreamSink"/>) or Parquet segments
/// (<see cref="Segments.SegmentSink"/>). The collector buffers through it, flushes it by count and interval, and
/// disposes it at stop.
/// </summary>
internal interface IStreamSink : IDisposable
{
    /// <summary>The file being written (or the last one), for progress.</summary>
    string? CurrentFile { get; }

    /// <summary>Records buffered and not yet flushed.</summary>
    int PendingCount { get; }

    /// <summary>When the buffered records must be flushed by, at the latest.</summary>
    DateTime? FlushDeadline { get; }

    void Add(ReadOnlySpan<byte> line, Period period, in RecordCheck.Fields fields, DateTime nowUtc);

    bool FlushDue(DateTime nowUtc);

    /// <summary>Makes the buffered records durable (as -Durability says) and reports how many that was.</summary>
    (int Records, long Bytes) Flush(DateTime nowUtc);
}
