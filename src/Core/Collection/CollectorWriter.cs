using System.Globalization;
using System.Text;
using System.Text.Json;
using PipelineOps.Text;

namespace PipelineOps.Collection;

/// <summary>
/// A collector's writing: checking each record, routing it to its stream's sink, flushing by count, deadline and
/// memory, and quarantining what is not a record. Whoever writes holds the gate: the collector's writer thread for
/// each batch it takes from the queue, or a pipeline caller writing its own record (<see cref="TryWriteHere"/>).
/// Everything here is guarded by it.
/// </summary>
internal sealed class CollectorWriter(CollectorOptions options, TimeProvider clock, RecordQueue queue, ByteBudget budget,
    CollectorStats stats, Action<string> warn)
{
    private readonly CollectorOptions _options = options;
    private readonly TimeProvider _clock = clock;
    private readonly RecordQueue _queue = queue;
    private readonly ByteBudget _budget = budget;
    private readonly Dictionary<string, IStreamSink> _sinks = new(StringComparer.Ordinal);
    private readonly RecordCheck.Names _fieldNames = new(options.StreamField, options.TimeField, options.SequenceField);
    private readonly CoarseClock? _callerClock = ReferenceEquals(clock, TimeProvider.System) ? new CoarseClock(clock) : null;
    private readonly Lock _gate = new();
    private long _pendingBytes;
    private bool _ready; // orphans recovered: records may be written
    private bool _closed; // files closed: nothing more is written
    private List<ReadOnlyMemory<byte>>? _batch; // taken from the queue; records before _next are buffered
    private int _next;
    private DateTime _arrived; // when the batch's first record was queued
    private List<ReadOnlyMemory<byte>> _spare = [];
    private bool _failing; // a write failed and the writer has not yet written again: it retries, with backoff

    private CollectorStats Stats => stats;

    private void Warn(string message) => warn(message);

    /// <summary>Records pipeline callers wrote themselves rather than queueing (for tests).</summary>
    internal long WrittenByCaller { get; private set; }

    /// <summary>For tests: pipeline callers queue their records, as they do while writes fail or at start.</summary>
    internal bool CallersQueue { get; set; }

    /// <summary>The writer has started and records may be written.</summary>
    internal bool Ready
    {
        get
        {
            lock (_gate)
            {
                return _ready;
            }
        }
    }

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

    /// <summary>Closes (or moves aside) what an earlier run left, then lets records be written.</summary>
    public void Recover()
    {
        lock (_gate)
        {
            Segments.SegmentSink.RecoverOrphans(_options, Warn);
            _ready = true;
        }
    }

    /// <summary>The writer thread's round: buffers what is queued, then flushes what is due (everything when a
    /// producer is short of memory). An IOException leaves the rest for a retry, and callers queue until one succeeds.</summary>
    public void WriteQueuedAndDue()
    {
        lock (_gate)
        {
            WriteQueued();
            SettleBudget();
            FlushDue(force: _budget.Starved);
            _failing = false;
        }
    }

    /// <summary>A write failed on the writer thread: callers queue behind the batch in hand until its retry succeeds.</summary>
    public void MarkFailing()
    {
        lock (_gate)
        {
            _failing = true;
        }
    }

    /// <summary>When the earliest buffered record must be flushed by, or null when nothing is buffered.</summary>
    public DateTime? FlushDeadline()
    {
        lock (_gate)
        {
            return NextDeadline();
        }
    }

    /// <summary>Flushes everything buffered (at stop).</summary>
    public void FlushAll()
    {
        lock (_gate)
        {
            FlushDue(force: true);
        }
    }

    /// <summary>Nothing more is written; the files are closed.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
        }

        lock (_sinks)
        {
            foreach (var sink in _sinks.Values)
            {
                sink.Dispose();
            }
        }
    }

    /// <summary>Buffers (and when due flushes) one record on the caller's thread, after any records still queued.
    /// False leaves the record to the queue; true means it is buffered, even when the flush after it failed (the
    /// writer retries that).</summary>
    public bool TryWriteHere(ReadOnlyMemory<byte> json)
    {
        // Waiting for the gate while the writer holds it (at most one batch or write) keeps the work here: a caller
        // that queued instead could be outrun by nothing but the writer, and would keep queueing.
        lock (_gate)
        {
            // Not while writes fail (the writer retries those with backoff, and records queue meanwhile), nor while the
            // writer keeps a batch it could not finish for its retry: those records come first. Not once stopping.
            if (!_ready || _closed || _failing || _batch is not null || _queue.IsCompleted || CallersQueue)
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
                FlushIfDue(sink);
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
        _failing = true;
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
            FlushIfDue(sink);
        }

        _spare = _batch;
        _batch = null;
    }

    /// <summary>Flushes the record's sink when it holds a flush's worth, or everything when the buffers hold half the
    /// budget (large records). The clock is read only for a flush: this runs for every record.</summary>
    private void FlushIfDue(IStreamSink? sink)
    {
        if (sink?.PendingCount >= _options.FlushCount)
        {
            Flush(sink, _clock.GetUtcNow().UtcDateTime);
        }
        else if (_pendingBytes >= _options.MaxBufferSize / 2)
        {
            FlushDue(force: true);
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

    /// <summary>Appends one line to the day's _rejects/ file: when, why, the message's size and its bytes (all of
    /// them, or the head the source kept). Bytes that are not UTF-8 would come back as U+FFFD from text, so they are
    /// kept as base64 instead, exactly. Returns the file's path.</summary>
    public string Reject(ReadOnlySpan<byte> bytes, long size, string error, DateTime now, string what)
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
}
