namespace PipelineOps.Collection;

/// <summary>
/// The bytes a collector holds in memory (queued messages and unflushed records), bounded: a message is taken into the
/// budget before it is queued and released when its record is flushed or rejected. One message is always let in when
/// nothing is held, so a message larger than the budget cannot wait forever.
/// </summary>
internal sealed class ByteBudget(long limit)
{
    private readonly object _gate = new();
    private long _used;
    private long _peak;
    private TaskCompletionSource? _released;
    private volatile bool _starved;

    public long Limit => limit;

    /// <summary>Called (outside the lock) whenever a message is refused or has to wait: whoever frees memory should
    /// do it now.</summary>
    public Action? Starving { get; set; }

    public long Used => Volatile.Read(ref _used);

    /// <summary>A message was refused or is waiting for room since the last release: flush now, not at the deadline.</summary>
    public bool Starved => _starved;

    /// <summary>The most held at once so far.</summary>
    public long Peak => Volatile.Read(ref _peak);

    /// <summary>Takes the bytes when they fit, without a lock: one compare-and-swap a message on the posting side (the
    /// reads are plain: Interlocked.Read is itself a compare-and-swap, and three of them were 6% of a record's CPU).</summary>
    public bool TryTake(long bytes)
    {
        if (TryAdd(bytes))
        {
            return true;
        }

        _starved = true;
        Starving?.Invoke();
        return false;
    }

    /// <summary>Takes the bytes, waiting for flushes to release enough.</summary>
    public async ValueTask TakeAsync(long bytes, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                // Under the lock a release cannot slip in between this test and the wait below.
                if (TryAdd(bytes))
                {
                    return;
                }

                _starved = true;
                _released ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                released = _released.Task;
            }

            Starving?.Invoke();
            await released.WaitAsync(cancellationToken);
        }
    }

    /// <summary>What a held message counts for changes (queued message to buffered line); no one is let in by it.</summary>
    public void Exchange(long from, long to) => Add(to - from);

    public void Release(long bytes)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            Interlocked.Add(ref _used, -bytes);
            _starved = false;
            waiting = _released;
            _released = null;
        }

        waiting?.TrySetResult();
    }

    /// <summary>Adds the bytes if they fit (or if nothing is held), atomically against every other taker.</summary>
    private bool TryAdd(long bytes)
    {
        while (true)
        {
            var used = Volatile.Read(ref _used);
            if (used > 0 && used + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                RaisePeak(used + bytes);
                return true;
            }
        }
    }

    private void Add(long bytes) => RaisePeak(Interlocked.Add(ref _used, bytes));

    private void RaisePeak(long used)
    {
        long peak;
        while (used > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, used, peak) != peak)
        {
        }
    }
}
