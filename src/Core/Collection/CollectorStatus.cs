namespace PipelineOps.Collection;

/// <summary>
/// What Start-, Get-, Stop- and Wait-Collector show: a collector's figures as plain top-level properties, so that
/// Where-Object, Sort-Object, Export-Csv and ConvertTo-Json work on them directly. It reads the running collector
/// each time a property is read (the figures are live), and exposes none of its methods: the engine stays behind it.
/// </summary>
public sealed class CollectorStatus
{
    private readonly Collector _collector;

    public CollectorStatus(Collector collector) => _collector = collector;

    public int Id => _collector.Id;

    /// <summary>Running, Stopping, Stopped or Failed.</summary>
    public string State => _collector.State.ToString();

    public string Source => _collector.Source;

    /// <summary>The folder it writes into, as Start-Collector -Destination named it (Directory is a hidden alias).</summary>
    public string Destination => _collector.Directory;

    /// <inheritdoc cref="CollectorStats.Received"/>
    public long Received => _collector.Stats.Received;

    /// <inheritdoc cref="CollectorStats.Flushed"/>
    public long Flushed => _collector.Stats.Flushed;

    /// <inheritdoc cref="CollectorStats.Pending"/>
    public long Pending => _collector.Stats.Pending;

    /// <summary>Bytes flushed to the files.</summary>
    public long Bytes => _collector.Stats.Bytes;

    /// <inheritdoc cref="CollectorStats.Dropped"/>
    public long Dropped => _collector.Stats.Dropped;

    /// <inheritdoc cref="CollectorStats.Rejected"/>
    public long Rejected => _collector.Stats.Rejected;

    public long Reconnects => _collector.Stats.Reconnects;

    /// <inheritdoc cref="CollectorStats.Errors"/>
    public long Errors => _collector.Stats.Errors;

    public string? LastError => _collector.Stats.LastError;

    public DateTime? LastFlushUtc => _collector.Stats.LastFlushUtc;

    public DateTime StartedUtc => _collector.StartedUtc;

    public DateTime? StoppedUtc => _collector.StoppedUtc;

    /// <summary>The files being written, one per stream (full paths).</summary>
    public IReadOnlyList<string> Files => JoinedList<string>.Of(_collector.CurrentFiles);

    public override string ToString() => $"Collector {Id} ({State})";
}
