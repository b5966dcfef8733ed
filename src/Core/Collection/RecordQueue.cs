using System.Threading.Channels;

namespace PipelineOps.Collection;

/// <summary>
/// The bounded queue between a source and the collector's writer, handed over in batches: the writer takes all that
/// is queued at once and sleeps until a batch's worth (<c>wakeCount</c>, the flush count) is waiting, it is nudged
/// (memory pressure, stop) or its deadline passes. Waking the writer for every record, as a channel does, cost more
/// CPU than everything else the collector does per record. Records keep their order.
/// </summary>
internal sealed class RecordQueue(int capacity, int wakeCount, TimeProvider clock)
{
    private readonly object _gate = new();
    private readonly int _wakeCount = Math.Clamp(wakeCount, 1, capacity);
    private List<ReadOnlyMemory<byte>> _items = [];
    private DateTime _firstQueuedUtc;
    private bool _completed;
    private bool _nudged;
    private bool _writerWaiting;
    private TaskCompletionSource? _room;

    /// <summary>Completed: no more messages are taken.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>Nothing queued, read without the lock: exact for whoever alone adds, or holds the only taker off.</summary>
    public bool IsEmpty => Volatile.Read(ref _items).Count == 0;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Queues a message unless the queue is full or completed.</summary>
    public bool TryAdd(ReadOnlyMemory<byte> message)
    {
        lock (_gate)
        {
            return AddLocked(message);
        }
    }

    /// <summary>Queues a message, waiting while the queue is full.</summary>
    /// <exception cref="ChannelClosedException">The queue was completed (the collector is stopping).</exception>
    public ValueTask AddAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (AddLocked(message))
            {
                return ValueTask.CompletedTask;
            }
        }

        return AddSlowlyAsync(message, cancellationToken);
    }

    private async ValueTask AddSlowlyAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (AddLocked(message))
                {
                    return;
                }

                if (_completed)
                {
                    throw new ChannelClosedException("The collector is stopping: no more records are taken.");
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            await room.WaitAsync(cancellationToken);
        }
    }

    private bool AddLocked(ReadOnlyMemory<byte> message)
    {
        if (_completed || _items.Count >= capacity)
        {
            return false;
        }

        if (_items.Count == 0)
        {
            _firstQueuedUtc = clock.GetUtcNow().UtcDateTime;
        }

        _items.Add(message);
        if (_writerWaiting && _items.Count >= _wakeCount)
        {
            _writerWaiting = false; // one wake-up: until the writer has the lock again, more adds must not pulse too
            Monitor.Pulse(_gate);
        }

        return true;
    }

    /// <summary>Wakes the writer now, whatever is queued (a producer is short of memory budget).</summary>
    public void Nudge()
    {
        lock (_gate)
        {
            if (!_nudged)
            {
                _nudged = true;
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>No more messages; the writer drains what is queued and ends.</summary>
    public void Complete()
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _completed = true;
            room = _room;
            _room = null;
            Monitor.Pulse(_gate);
        }

        room?.TrySetResult();
    }

    /// <summary>True when completed and nothing is left.</summary>
    public bool IsDone
    {
        get
        {
            lock (_gate)
            {
                return _completed && _items.Count == 0;
            }
        }
    }

    /// <summary>Takes everything queued, in order, swapping in <paramref name="spare"/> (emptied) as the new queue, and
    /// when the oldest of it was queued.</summary>
    public (List<ReadOnlyMemory<byte>> Items, DateTime FirstQueuedUtc) TakeAll(List<ReadOnlyMemory<byte>> spare)
    {
        spare.Clear();
        TaskCompletionSource? room;
        List<ReadOnlyMemory<byte>> taken;
        DateTime first;
        lock (_gate)
        {
            taken = _items;
            first = _firstQueuedUtc;
            _items = spare;
            _nudged = false;
            room = taken.Count > 0 ? _room : null;
            if (room is not null)
            {
                _room = null;
            }
        }

        room?.TrySetResult();
        return (taken, first);
    }

    /// <summary>When the oldest queued message must be flushed by (it arrived <paramref name="flushInterval"/> earlier),
    /// or null when nothing is queued.</summary>
    public DateTime? Deadline(TimeSpan flushInterval)
    {
        lock (_gate)
        {
            return _items.Count > 0 ? _firstQueuedUtc + flushInterval : null;
        }
    }

    /// <summary>Blocks the writer until a batch is waiting, it is nudged, the queue completes, or
    /// <paramref name="timeout"/> passes.</summary>
    public void Wait(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (_items.Count >= _wakeCount || _nudged || _completed)
            {
                return;
            }

            _writerWaiting = true;
            try
            {
                Monitor.Wait(_gate, timeout < TimeSpan.Zero || timeout.TotalMilliseconds > int.MaxValue ? Timeout.InfiniteTimeSpan : timeout);
            }
            finally
            {
                _writerWaiting = false;
            }
        }
    }
}
