using System.Globalization;

namespace PipelineOps.Collection;

/// <summary>
/// Says when -Backpressure Drop starts dropping and, once no record has been dropped for a quiet period, how many were
/// dropped: one warning when an episode starts and one when it ends, however many records it drops, so a flapping
/// queue gives at most two warnings per quiet period.
/// </summary>
internal sealed class DropReporter(TimeProvider clock, Action<string> warn, TimeSpan quiet)
{
    private readonly object _gate = new();
    private bool _dropping;
    private long _dropped;
    private DateTimeOffset _since;
    private DateTimeOffset _lastDrop;

    public void Dropped(int queueSize, long bufferLimit)
    {
        lock (_gate)
        {
            _lastDrop = clock.GetUtcNow();
            _dropped++;
            if (_dropping)
            {
                return;
            }

            _dropping = true;
            _since = _lastDrop;
            _dropped = 1;
        }

        warn(string.Create(CultureInfo.InvariantCulture,
            $"The queue is full ({queueSize:N0} records or {bufferLimit:N0} bytes, -QueueSize and -MaxBufferSize): dropping records (-Backpressure Drop) until the writer catches up; Dropped counts them."));
    }

    /// <summary>A record was queued: the end of an episode, once nothing was dropped for the quiet period.</summary>
    public void Accepted()
    {
        if (!Volatile.Read(ref _dropping))
        {
            return;
        }

        End(force: false);
    }

    /// <summary>At stop: report an episode still open.</summary>
    public void End(bool force)
    {
        long dropped;
        DateTimeOffset since, last;
        lock (_gate)
        {
            if (!_dropping || (!force && clock.GetUtcNow() - _lastDrop < quiet))
            {
                return;
            }

            _dropping = false;
            (dropped, since, last) = (_dropped, _since, _lastDrop);
        }

        warn(string.Create(CultureInfo.InvariantCulture,
            $"Stopped dropping: {dropped:N0} records were dropped between {since:HH:mm:ss} and {last:HH:mm:ss} UTC because the queue was full."));
    }
}
