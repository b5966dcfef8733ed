using PipelineOps.Collection.Sources;

namespace PipelineOps.Collection;

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum CollectorState
{
    Running,
    Stopping,
    Stopped,
    Failed,
}

/// <summary>
/// A running collection: a source feeding a bounded queue, and a writer thread draining it into per-stream files that
/// rotate by period, flush every FlushCount records or FlushInterval, and checkpoint after each flush (the writing
/// itself is <see cref="CollectorWriter"/>; pipeline callers write their own records through it). Memory is bounded by
/// the queue and one batch per stream. Stopping flushes what is buffered and closes the files.
/// </summary>
public sealed class Collector : IAsyncDisposable
{
    private static int _lastId;

    private readonly CollectorOptions _options;
    private readonly IRecordSource? _source;
    private readonly TimeProvider _clock;
    private readonly RecordQueue _queue;
    private readonly CancellationTokenSource _stopSource = new();
    private readonly CancellationTokenSource _stopWriter = new();
    private readonly List<string> _warnings = [];
    private readonly ByteBudget _budget;
    private readonly DropReporter _drops;
    private readonly CollectorWriter _writer;

    /// <summary>Records the pipeline caller wrote itself rather than queueing (for tests).</summary>
    internal long WrittenByCaller => _writer.WrittenByCaller;

    /// <summary>For tests: pipeline callers queue their records, as they do while writes fail or at start.</summary>
    internal bool CallersQueue
    {
        get => _writer.CallersQueue;
        set => _writer.CallersQueue = value;
    }

    /// <summary>For tests: the writer has started and records may be written.</summary>
    internal bool WriterReady => _writer.Ready;

    private Task? _sourceTask;
    private Task? _writerTask;

    public Collector(CollectorOptions options, IRecordSource? source, TimeProvider? clock = null)
    {
        _options = options;
        _source = source;
        _clock = clock ?? TimeProvider.System;
        _queue = new RecordQueue(options.QueueSize, options.FlushCount, _clock);
        Id = Interlocked.Increment(ref _lastId);
        _budget = new ByteBudget(options.MaxBufferSize);
        _drops = new DropReporter(_clock, Warn, TimeSpan.FromSeconds(5));
        _writer = new CollectorWriter(options, _clock, _queue, _budget, Stats, Warn);
        _budget.Starving = _queue.Nudge; // the writer flushes now rather than at its deadline, so the budget frees up
    }

    public int Id { get; }

    public string Source => _source?.Description ?? "pipeline";

    public string Directory => _options.Directory;

    public CollectorOptions Options => _options;

    public CollectorStats Stats { get; } = new();

    public CollectorState State { get; private set; } = CollectorState.Running;

    public DateTime StartedUtc { get; private set; }

    public DateTime? StoppedUtc { get; private set; }

    /// <summary>The files being written, one per stream.</summary>
    public IReadOnlyList<string> CurrentFiles => _writer.CurrentFiles;

    /// <summary>Completes when the collector has stopped (writer done, files closed); never faults: see <see cref="State"/>.</summary>
    public Task Completion => _stopped ?? Task.CompletedTask;

    private Task? _stopped;

    /// <summary>Warnings since the last call (torn tails moved aside, checkpoints rebuilt, source errors).</summary>
    public IReadOnlyList<string> TakeWarnings()
    {
        lock (_warnings)
        {
            var taken = _warnings.ToList();
            _warnings.Clear();
            return taken;
        }
    }

    public void Start()
    {
        StartedUtc = _clock.GetUtcNow().UtcDateTime;
        _writerTask = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _stopped = _writerTask.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        if (_source is not null)
        {
            var context = new SourceContext(EmitFromSource, Stats.AddReconnect, message => { Stats.AddError(message); Warn(message); },
                RejectFromSource, Warn);
            _sourceTask = Task.Run(() => _source.RunAsync(context, _stopSource.Token));
        }
    }

    /// <summary>Takes one record from the pipeline: written by the caller itself when the writer is not busy (after any
    /// records still queued, in order), else queued for the writer, waiting while the queue is full.</summary>
    /// <remarks>Handing each record to the writer thread cost more CPU than checking and writing it (a lock, a queue
    /// slot and its cache line crossing cores, a wake-up per batch); a pipeline caller that finds the writer's gate free
    /// does the same work on its own thread, in order, under that gate. Sources always queue: their receive loops
    /// must not wait for a disk. Parquet segments always queue too: closing one converts and compacts it.</remarks>
    public ValueTask PostAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken) =>
        Post(json, inline: _options.Segments is null, cancellationToken); // Parquet segments close (and compact) on rotation: the writer's work

    private ValueTask Post(ReadOnlyMemory<byte> json, bool inline, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        // Written here, the record never waits in the queue: it joins the budget as a buffered line (see Accept).
        if (inline && _writer.TryWriteHere(json))
        {
            return ValueTask.CompletedTask;
        }

        // The usual case without an async state machine: room in the budget and in the queue.
        if (_budget.TryTake(json.Length))
        {
            if (_queue.TryAdd(json))
            {
                Stats.AddReceived();
                return ValueTask.CompletedTask;
            }

            _budget.Release(json.Length);
        }

        return PostSlowlyAsync(json, cancellationToken);
    }

    private async ValueTask PostSlowlyAsync(ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        await _budget.TakeAsync(json.Length, cancellationToken);

        try
        {
            await _queue.AddAsync(json, cancellationToken);
        }
        catch
        {
            _budget.Release(json.Length);
            throw;
        }

        Stats.AddReceived();
    }

    /// <summary>Bytes held in memory now (queued and unflushed), and the most held at once; bounded by MaxBufferSize.</summary>
    public (long Now, long Peak) BufferedBytes => (_budget.Used, _budget.Peak);

    private ValueTask EmitFromSource(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (_options.Backpressure == Backpressure.Drop)
        {
            if (_budget.TryTake(message.Length))
            {
                if (_queue.TryAdd(message))
                {
                    Stats.AddReceived();
                    _drops.Accepted();
                    return ValueTask.CompletedTask;
                }

                _budget.Release(message.Length);
            }

            _queue.Nudge();

            Stats.AddDropped();
            _drops.Dropped(_options.QueueSize, _options.MaxBufferSize);
            return ValueTask.CompletedTask;
        }

        return Post(message, inline: false, cancellationToken);
    }

    /// <summary>Stops the source, writes and flushes everything queued, closes the files.</summary>
    public async Task StopAsync(TimeSpan? drainTimeout = null)
    {
        if (State == CollectorState.Running)
        {
            State = CollectorState.Stopping;
        }

        await _stopSource.CancelAsync();
        if (_sourceTask is not null)
        {
            try
            {
                await _sourceTask;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _drops.End(force: true);
        _queue.Complete();
        if (_writerTask is null)
        {
            return;
        }

        if (await Task.WhenAny(_writerTask, Task.Delay(drainTimeout ?? Timeout.InfiniteTimeSpan)) != _writerTask)
        {
            await _stopWriter.CancelAsync(); // a writer stuck retrying a full disk: give up on what is still buffered
        }

        await Completion;
    }

    /// <summary>The writer, on its own thread: takes the queue a batch at a time, buffers each record in its stream's
    /// sink, flushes by count and deadline, and sleeps until the next batch or deadline.</summary>
    private void WriteLoop()
    {
        var retry = new Backoff(_options.RetryDelay, TimeSpan.FromMinutes(1));
        using var stopping = _stopWriter.Token.Register(_queue.Nudge);
        try
        {
            _writer.Recover();

            while (true)
            {
                try
                {
                    _writer.WriteQueuedAndDue();
                    retry.Reset();
                }
                catch (IOException e) when (e is not CollectorConflictException)
                {
                    // The gate is free while waiting; pipeline callers queue behind the batch in hand and the retry.
                    _writer.MarkFailing();

                    Stats.AddError(e.Message);
                    Warn($"Write error, retrying: {e.Message}");
                    Task.Delay(retry.Next(), _clock, _stopWriter.Token).GetAwaiter().GetResult();
                    continue;
                }

                _stopWriter.Token.ThrowIfCancellationRequested();
                if (_queue.IsDone)
                {
                    break;
                }

                // With nothing due, sleep one flush interval at most: a record queued (or written by a pipeline caller)
                // meanwhile arrives after this moment, so it is still flushed within the interval.
                var now = _clock.GetUtcNow().UtcDateTime;
                var deadline = Earliest(_writer.FlushDeadline(), _queue.Deadline(_options.FlushInterval)) ?? now + _options.FlushInterval;
                if (deadline > now)
                {
                    _queue.Wait(deadline - now);
                }
            }

            FinalFlush(retry);

            State = CollectorState.Stopped;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Stats.AddError(e.Message);
            State = CollectorState.Failed;
            throw;
        }
        finally
        {
            StoppedUtc = _clock.GetUtcNow().UtcDateTime;
            if (State == CollectorState.Stopping)
            {
                State = CollectorState.Stopped;
            }

            _writer.Close();
        }
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private void FinalFlush(Backoff retry)
    {
        while (true)
        {
            try
            {
                _writer.FlushAll();
                return;
            }
            catch (IOException e) when (e is not CollectorConflictException)
            {
                // Retried with the gate free: a pipeline caller waiting for it gets its answer (stopping) meanwhile.
                Stats.AddError(e.Message);
                Warn($"Write error on the final flush, retrying: {e.Message}");
                Task.Delay(retry.Next(), _clock, _stopWriter.Token).GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>A message the source could not hand on: its head, size and the reason go to _rejects/.</summary>
    private void RejectFromSource(ReadOnlyMemory<byte> head, long size, string why)
    {
        Stats.AddReceived(); // received and rejected, as the writer's own rejects are: Pending stays true
        Stats.AddRejected();
        var path = _writer.Reject(head.Span, size, why, _clock.GetUtcNow().UtcDateTime, "a message");
        Warn($"A message was quarantined in {path}: {why}");
    }

    private void Warn(string message)
    {
        lock (_warnings)
        {
            if (_warnings.Count < 1000)
            {
                _warnings.Add(message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopSource.Dispose();
        _stopWriter.Dispose();
    }
}
