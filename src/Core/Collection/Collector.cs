using System.Globalization;
using System.Text;
using System.Text.Json;
using PipelineOps.Collection.Sources;

using PipelineOps.Text;

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
/// A running collection: a source feeding a bounded queue, and one writer draining it into per-stream files that
/// rotate by period, flush every FlushCount records or FlushInterval, and checkpoint after each flush. Memory is
/// bounded by the queue and one batch per stream. Stopping flushes what is buffered and closes the files.
/// </summary>
public sealed class Collector : IAsyncDisposable
{
    private static int _lastId;

    private readonly CollectorOptions _options;
    private readonly IRecordSource? _source;
    private readonly TimeProvider _clock;
    private readonly RecordQueue _queue;
    private readonly Dictionary<string, IStreamSink> _sinks = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopSource = new();
    private readonly CancellationTokenSource _stopWriter = new();
    private readonly List<string> _warnings = [];
    private readonly ByteBudget _budget;
    private readonly DropReporter _drops;
    private readonly RecordCheck.Names _fieldNames;
    private readonly CoarseClock? _callerClock; // for pipeline callers, under the write gate
    private long _pendingBytes;

    // Held by whoever buffers or flushes records: the writer for each batch it takes from the queue, or a pipeline
    // caller writing its record itself (see PostAsync). Everything below that the writing touches is guarded by it.
    private readonly Lock _writeGate = new();
    private bool _writerReady; // orphans recovered: records may be written
    private bool _writerClosed; // files closed: nothing more is written
    private List<ReadOnlyMemory<byte>>? _batch; // taken from the queue; records before _next are buffered
    private int _next;
    private DateTime _arrived; // when the batch's first record was queued
    private List<ReadOnlyMemory<byte>> _spare = [];
    private bool _writeFailing; // a write failed and the writer has not yet written again: it retries, with backoff

    /// <summary>Records the pipeline caller wrote itself rather than queueing (for tests).</summary>
    internal long WrittenByCaller { get; private set; }

    /// <summary>For tests: pipeline callers queue their records, as they do while writes fail or at start.</summary>
    internal bool CallersQueue { get; set; }

    /// <summary>For tests: the writer has started and records may be written.</summary>
    internal bool WriterReady
    {
        get
        {
            lock (_writeGate)
            {
                return _writerReady;
            }
        }
    }
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
        _fieldNames = new RecordCheck.Names(options.StreamField, options.TimeField, options.SequenceField);
        _callerClock = ReferenceEquals(_clock, TimeProvider.System) ? new CoarseClock(_clock) : null;
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
    public IReadOnlyList<string> CurrentFiles
    {
        get
        {
            lock (_sinks)
            {
                return _sinks.Values.Select(s => s.CurrentFile).OfType<string>().ToList();
            }
        }
    }

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
        if (inline && TryWriteHere(json))
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

    /// <summary>Buffers (and when due flushes) one record on the caller's thread, after any records still queued.
    /// False leaves the record to the queue; true means it is buffered, even when the flush after it failed (the
    /// writer retries that).</summary>
    private bool TryWriteHere(ReadOnlyMemory<byte> json)
    {
        // Waiting for the gate while the writer holds it (at most one batch or write) keeps the work here: a caller
        // that queued instead could be outrun by nothing but the writer, and would keep queueing.
        lock (_writeGate)
        {
            // Not while writes fail (the writer retries those with backoff, and records queue meanwhile), nor while the
            // writer keeps a batch it could not finish for its retry: those records come first. Not once stopping.
            if (!_writerReady || _writerClosed || _writeFailing || _batch is not null || _queue.IsCompleted || CallersQueue)
            {
                return false;
            }

            if (!_queue.IsEmpty)
            {
                // Records queued while the writer was busy came before this one: written first, here.
                try
                {
                    WriteQueued();
                }
                catch (IOException e) when (e is not CollectorConflictException)
                {
                    Failed(e);
                    return false; // queued behind what is left of the batch, for the writer
                }
            }

            var now = CallerNow();
            IStreamSink? sink;
            Stats.AddReceivedInOrder(1); // received before it can count as rejected or flushed
            try
            {
                sink = Accept(json, now.UtcDateTime, now, queued: false);
            }
            catch (IOException)
            {
                Stats.AddReceivedInOrder(-1); // the queue takes it, and counts it there
                return false; // not buffered (a file that cannot be opened): the writer meets it with its retries
            }

            try
            {
                FlushIfDue(sink, now.UtcDateTime);
            }
            catch (IOException e) when (e is not CollectorConflictException)
            {
                Failed(e);
            }

            WrittenByCaller++;
            return true;
        }
    }

    /// <summary>A write failed on the caller's thread: the writer retries it, with backoff.</summary>
    private void Failed(IOException e)
    {
        Stats.AddError(e.Message);
        Warn($"Write error, retrying: {e.Message}");
        _writeFailing = true;
        _queue.Nudge();
    }

    /// <summary>Buffers the queued records in order (under the gate), flushing as they come due. On an IOException
    /// the rest of the batch stays in hand for the writer's retry; none is buffered twice.</summary>
    private void WriteQueued()
    {
        if (_batch is null)
        {
            (_batch, _arrived) = _queue.TakeAll(_spare);
            _next = 0;
        }

        var taken = _clock.GetUtcNow(); // one clock read a batch: its records arrived before this
        while (_next < _batch.Count)
        {
            var sink = Accept(_batch[_next], _arrived, taken, queued: true);
            _next++; // buffered now: a failing flush below must not buffer it twice
            FlushIfDue(sink, _clock.GetUtcNow().UtcDateTime);
        }

        _spare = _batch;
        _batch = null;
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
            lock (_writeGate)
            {
                Segments.SegmentSink.RecoverOrphans(_options, Warn);
                _writerReady = true;
            }

            while (true)
            {
                try
                {
                    lock (_writeGate)
                    {
                        WriteQueued();
                        SettleBudget();
                        FlushDue(force: _budget.Starved);
                        _writeFailing = false;
                    }

                    retry.Reset();
                }
                catch (IOException e) when (e is not CollectorConflictException)
                {
                    // The gate is free while waiting; pipeline callers queue behind the batch in hand and the retry.
                    lock (_writeGate)
                    {
                        _writeFailing = true;
                    }

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
                DateTime? due;
                lock (_writeGate)
                {
                    due = NextDeadline();
                }

                var deadline = Earliest(due, _queue.Deadline(_options.FlushInterval)) ?? now + _options.FlushInterval;
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

            lock (_writeGate)
            {
                _writerClosed = true;
            }

            lock (_sinks)
            {
                foreach (var sink in _sinks.Values)
                {
                    sink.Dispose();
                }
            }
        }
    }

    /// <summary>Flushes the record's sink when it holds a flush's worth, or everything when the buffers hold half the
    /// budget (large records).</summary>
    private void FlushIfDue(IStreamSink? sink, DateTime now)
    {
        if (sink?.PendingCount >= _options.FlushCount)
        {
            Flush(sink, now);
        }
        else if (_pendingBytes >= _options.MaxBufferSize / 2)
        {
            FlushDue(force: true);
        }
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private void FinalFlush(Backoff retry)
    {
        while (true)
        {
            try
            {
                lock (_writeGate)
                {
                    FlushDue(force: true);
                }

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

    /// <summary>Buffers one message in its stream's sink (rotating first if its period changed); bad ones are quarantined.</summary>
    /// <param name="arrivedUtc">No later than when the record was queued: its flush deadline counts from then.</param>
    /// <param name="now">The time the record is taken in, for its period.</param>
    /// <param name="queued">The message came through the queue, so the budget holds its bytes.</param>
    private IStreamSink? Accept(ReadOnlyMemory<byte> message, DateTime arrivedUtc, DateTimeOffset now, bool queued)
    {
        RecordCheck.Fields fields = default;
        var plain = false;
        ReadOnlyMemory<byte> line;
        // The shared verdict: a message is collected exactly when the converter will take its line as a record.
        var problem = message.Length > JsonLineRules.DefaultMaxBytes
            ? $"record too long ({message.Length:N0} bytes; the limit is {JsonLineRules.DefaultMaxBytes:N0})"
            : RecordCheck.Run(message, _fieldNames, out fields, out plain);
        try
        {
            // A record the plain scan took has no line break to take out.
            line = problem is null && !plain ? RecordInspector.OneLine(message) : message;
            if (!line.Equals(message))
            {
                problem = RecordCheck.Run(line, _fieldNames, out fields); // the fields of the rewritten line
            }
        }
        catch (JsonException e)
        {
            problem = e.Message;
            line = message;
        }

        if (problem is not null)
        {
            Quarantine(message, problem, now.UtcDateTime);
            if (queued)
            {
                _budget.Release(message.Length);
            }

            return null;
        }

        var sink = SinkOf(fields.Stream);
        sink.Add(line.Span, PeriodOf(now), in fields, arrivedUtc < now.UtcDateTime ? arrivedUtc : now.UtcDateTime);
        // From here the budget holds the buffered line (and its newline), instead of the queued message.
        _budgetChange += line.Length + 1 - (queued ? message.Length : 0); // settled before the next flush or wait
        _pendingBytes += line.Length + 1;
        return sink;
    }

    private DateTimeOffset CallerNow() => _callerClock?.Now() ?? _clock.GetUtcNow(); // a test's clock moves when the test says

    // The period of the last record and the UTC instants it spans: time-zone conversion once per period, not per record.
    private (Period Period, DateTimeOffset From, DateTimeOffset Until)? _periodCache;

    private Period PeriodOf(DateTimeOffset now)
    {
        if (_periodCache is { } cached && now >= cached.From && now < cached.Until)
        {
            return cached.Period;
        }

        var period = Period.Of(now, _options.Rotation, _options.TimeZone);
        // Valid until the next whole minute at most: cheap, and never wrong across DST or period boundaries, which
        // fall on whole minutes.
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).ToOffset(now.Offset);
        _periodCache = (period, minute, minute.AddMinutes(1));
        return period;
    }

    // The sinks of the last few stream field values, by their UTF-8 bytes: records alternating between a few streams
    // (a feed's l2update and ticker messages) find theirs without a string, a name check or a lock each.
    private const int RecentSinks = 8;
    private readonly (byte[]? Value, IStreamSink Sink)[] _recent = new (byte[]?, IStreamSink)[RecentSinks];
    private int _recentCount;
    private int _recentNext;

    private IStreamSink SinkOf(RecordCheck.Value value)
    {
        if (_options.Stream is not null && _recentCount > 0)
        {
            return _recent[0].Sink;
        }

        var utf8 = value.Utf8;
        for (var i = 0; i < _recentCount; i++)
        {
            ref var recent = ref _recent[i];
            if (recent.Value is null ? !value.IsPresent : value.IsPresent && utf8.SequenceEqual(recent.Value))
            {
                return recent.Sink;
            }
        }

        var stream = StreamOf(value.Text);
        IStreamSink? sink;
        lock (_sinks)
        {
            if (!_sinks.TryGetValue(stream, out sink))
            {
                sink = _options.Segments is null ? new StreamSink(stream, _options, Warn) : new Segments.SegmentSink(stream, _options, Warn);
                _sinks[stream] = sink;
            }
        }

        _recent[_recentNext] = (value.IsPresent ? utf8.ToArray() : null, sink);
        _recentNext = (_recentNext + 1) % RecentSinks;
        _recentCount = Math.Max(_recentCount, _recentNext == 0 ? RecentSinks : _recentNext);
        return sink;
    }

    private string StreamOf(string? value)
    {
        if (_options.Stream is { } fixedStream)
        {
            return fixedStream;
        }

        if (value is null)
        {
            return _options.DefaultStream;
        }

        return _options.StreamMap.TryGetValue(value, out var mapped) ? mapped : SafeName(value);
    }

    /// <summary>A field value as a file-name part: letters, digits, - and _ only, so a value never makes a path.</summary>
    private static string SafeName(string value)
    {
        var name = new string(value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' ? c : '_').Take(64).ToArray());
        return name.Length == 0 ? "data" : name;
    }

    private void FlushDue(bool force)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        List<IStreamSink> sinks;
        lock (_sinks)
        {
            sinks = _sinks.Values.ToList();
        }

        foreach (var sink in sinks)
        {
            if (force ? sink.PendingCount > 0 : sink.FlushDue(now))
            {
                Flush(sink, now);
            }
        }
    }

    // What buffered lines hold of the budget beyond (or short of) their queued messages, not yet told to the budget:
    // one call a batch instead of a lock a record.
    private long _budgetChange;

    private void SettleBudget()
    {
        if (_budgetChange != 0)
        {
            _budget.Exchange(0, _budgetChange);
            _budgetChange = 0;
        }
    }

    private void Flush(IStreamSink sink, DateTime now)
    {
        SettleBudget();
        var (records, bytes) = sink.Flush(now);
        if (records > 0)
        {
            Stats.AddFlushed(records, bytes, now);
            _pendingBytes -= bytes;
            _budget.Release(bytes);
        }
    }

    private DateTime? NextDeadline()
    {
        lock (_sinks)
        {
            return _sinks.Values.Select(s => s.FlushDeadline).Where(d => d is not null).Min();
        }
    }

    private void Quarantine(ReadOnlyMemory<byte> message, string error, DateTime now)
    {
        Stats.AddRejected();
        var path = Reject(message.Span, message.Length, error, now, "a bad record");
        Warn($"A message that is not a record was quarantined in {path}: {error}");
    }

    /// <summary>A message the source could not hand on: its head, size and the reason go to _rejects/.</summary>
    private void RejectFromSource(ReadOnlyMemory<byte> head, long size, string why)
    {
        Stats.AddReceived(); // received and rejected, as the writer's own rejects are: Pending stays true
        Stats.AddRejected();
        var path = Reject(head.Span, size, why, _clock.GetUtcNow().UtcDateTime, "a message");
        Warn($"A message was quarantined in {path}: {why}");
    }

    /// <summary>Appends one line to the day's _rejects/ file: when, why, the message's size and its bytes (all of
    /// them, or the head the source kept). Bytes that are not UTF-8 would come back as U+FFFD from text, so they are
    /// kept as base64 instead, exactly. Returns the file's path.</summary>
    private string Reject(ReadOnlySpan<byte> bytes, long size, string error, DateTime now, string what)
    {
        var path = Path.Combine(_options.Directory, "_rejects", $"collector_{now:yyyyMMdd}.rejects");
        try
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var text = System.Text.Unicode.Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : null;
            var line = JsonSerializer.Serialize(new
            {
                received = now.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
                error,
                size,
                text,
                base64 = text is null ? Convert.ToBase64String(bytes) : null,
            });
            File.AppendAllText(path, line + "\n");
        }
        catch (IOException e)
        {
            Warn($"Cannot quarantine {what} in {path}: {e.Message}");
        }

        return path;
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
