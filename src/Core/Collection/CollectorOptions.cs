namespace PipelineOps.Collection;

/// <summary>How flushed data is made durable.</summary>
public enum Durability
{
    /// <summary>Each flush hands the data to the OS: it survives the process being killed, not a power loss.</summary>
    Flush,

    /// <summary>Each flush also waits for the disk (fsync): what was flushed survives a power loss too.</summary>
    Fsync,
}

/// <summary>What a source does when the queue to the writer is full.</summary>
public enum Backpressure
{
    /// <summary>Wait for room (pipeline and HTTP sources always do).</summary>
    Block,

    /// <summary>Drop the record and count it in Dropped (a WebSocket feed that must keep reading).</summary>
    Drop,
}

public sealed record CollectorOptions
{
    public required string Directory { get; init; }

    public string Extension { get; init; } = ".jsonl";

    public Rotation Rotation { get; init; } = Rotation.Daily;

    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The field whose value names a record's stream (with <see cref="StreamMap"/> applied).</summary>
    public string StreamField { get; init; } = "type";

    /// <summary>Field values to stream names: l2update and snapshot to level2, as the notes file them.</summary>
    public IReadOnlyDictionary<string, string> StreamMap { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>One fixed stream for every record; overrides <see cref="StreamField"/>.</summary>
    public string? Stream { get; init; }

    /// <summary>Records without the stream field go here.</summary>
    public string DefaultStream { get; init; } = "data";

    public int FlushCount { get; init; } = 100;

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(5);

    public Durability Durability { get; init; } = Durability.Flush;

    public int QueueSize { get; init; } = 10_000;

    public Backpressure Backpressure { get; init; } = Backpressure.Drop;

    /// <summary>The most bytes held in memory: queued messages plus records not yet flushed. Over it, a source waits or
    /// drops (per <see cref="Backpressure"/>) and the writer flushes early.</summary>
    public long MaxBufferSize { get; init; } = DefaultMaxBufferSize;

    public const long DefaultMaxBufferSize = 64L << 20;

    /// <summary>Append to the current period's file after a restart (true) or start a new sequence-numbered one.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>The record field used for the checkpoint's last record time.</summary>
    public string TimeField { get; init; } = "time";

    /// <summary>The record field used for the checkpoint's last sequence.</summary>
    public string SequenceField { get; init; } = "sequence";

    /// <summary>After a write error, wait this long before the first retry (doubling to a minute).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Parquet segments instead of JSON-lines files (Start-Collector -Format Parquet); null for JSON lines.</summary>
    public Segments.SegmentOptions? Segments { get; init; }
}
