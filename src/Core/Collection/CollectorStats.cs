namespace PipelineOps.Collection;

/// <summary>Live figures of a running collector; read them at any time.</summary>
public sealed class CollectorStats
{
    private long _received, _flushed, _bytes, _reconnects, _dropped, _errors, _rejected;
    private long _lastFlushTicks;
    private long _receivedInOrder; // counted by one thread at a time (the collector's write gate): no atomic add

    /// <summary>Records accepted from the source into the queue.</summary>
    public long Received => Interlocked.Read(ref _received) + Volatile.Read(ref _receivedInOrder);

    /// <summary>Records written to files and flushed (to the OS, or to disk with Fsync).</summary>
    public long Flushed => Interlocked.Read(ref _flushed);

    /// <summary>Records waiting: queued or buffered, not yet flushed.</summary>
    public long Pending => Received - Flushed - Rejected;

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Records a WebSocket source dropped because the queue was full (-Backpressure Drop).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Write errors and source errors (each retried).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Messages that were not one JSON object: quarantined under _rejects/.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    public DateTime? LastFlushUtc
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastFlushTicks);
            return ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);
        }
    }

    public string? LastError { get; internal set; }

    internal void AddReceived() => Interlocked.Increment(ref _received);

    /// <summary>Received counted by whoever holds the collector's write gate (callers take turns under it).</summary>
    internal void AddReceivedInOrder(int count) => Volatile.Write(ref _receivedInOrder, _receivedInOrder + count);

    internal void AddFlushed(long records, long bytes, DateTime at)
    {
        Interlocked.Add(ref _flushed, records);
        Interlocked.Add(ref _bytes, bytes);
        Interlocked.Exchange(ref _lastFlushTicks, at.Ticks);
    }

    internal void AddReconnect() => Interlocked.Increment(ref _reconnects);

    internal void AddDropped() => Interlocked.Increment(ref _dropped);

    internal void AddRejected() => Interlocked.Increment(ref _rejected);

    internal void AddError(string message)
    {
        Interlocked.Increment(ref _errors);
        LastError = message;
    }
}
