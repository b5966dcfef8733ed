using System.Text;
using System.Text.Json;
using PipelineOps.Collection;
using PipelineOps.Conversion;
using PipelineOps.IO;

namespace PipelineOps.Segments;

/// <summary>
/// One stream's Parquet segments (Start-Collector -Format Parquet). Each partition (the -PartitionBy values of a
/// record) has an open segment: a row journal in active/ that each flush appends its records to in one write,
/// flushed (and with -Durability Fsync synced) before the rows count as flushed, so a kill -9 at any instant loses
/// none of them. A segment is closed into a whole Parquet file in ready/ at -SegmentMaxSize, at the period boundary
/// and at stop (<see cref="SegmentCompactor"/>: large row groups, read back before the journal goes). Memory is
/// bounded by -MaxBufferSize across partitions (the largest buffer is flushed early) and a cap on open files.
/// </summary>
internal sealed class SegmentSink : IStreamSink
{
    private readonly string _stream;
    private readonly CollectorOptions _options;
    private readonly SegmentOptions _segments;
    private readonly Action<string> _warn;
    private readonly string _checkpointPath;
    private readonly CheckpointPacer _checkpoints;
    private readonly Dictionary<string, Segment> _open = new(StringComparer.Ordinal);
    private readonly byte[][] _partitionNames;
    private FileStream? _lock;
    private Period? _period;
    private int _pendingCount;
    private long _pendingBytes;
    private int _openFiles;
    private long _useClock;
    private DateTime _firstPendingUtc;
    private (int Records, long Bytes) _unreported; // flushed early (buffer pressure, rotation), reported with the next flush
    private long _totalFlushed;
    private RecordCheck.Value _lastTime; // as the record has it: text only when a checkpoint is saved
    private RecordCheck.Value _lastSequence;
    private string? _lastFile;
    private (string Stamp, int Next)? _sequence;

    public SegmentSink(string stream, CollectorOptions options, Action<string> warn)
    {
        _stream = stream;
        _options = options;
        _segments = options.Segments!;
        _warn = warn;
        _checkpointPath = Checkpoint.PathFor(options.Directory, stream);
        // Every partition has its own journal: a new file name is no reason to save at once here.
        _checkpoints = new CheckpointPacer(_checkpointPath, options.Durability == Durability.Fsync, saveOnNewFile: false,
            e => warn($"{_checkpointPath}: cannot save the checkpoint ({e.Message}); the segments stay the truth."));
        _partitionNames = _segments.PartitionBy.Select(Encoding.UTF8.GetBytes).ToArray();
        try
        {
            var checkpoint = Checkpoint.Load(_checkpointPath);
            _totalFlushed = checkpoint?.TotalFlushed ?? 0;
            _lastTime = RecordCheck.Value.Of(checkpoint?.LastRecordTime);
            _lastSequence = RecordCheck.Value.Of(checkpoint?.LastSequence);
        }
        catch (InvalidDataException e)
        {
            _warn(e.Message + " Its totals start again from zero.");
        }
    }

    public string? CurrentFile { get; private set; }

    public int PendingCount => _pendingCount;

    public DateTime? FlushDeadline => _pendingCount > 0 ? _firstPendingUtc + _options.FlushInterval : null;

    public static string LockPath(string directory, string stream) => Path.Combine(directory, ".pipelineops", $"{stream}.lock");

    /// <summary>Closes into ready/ what earlier runs left in active/ (the startup migration), before anything is written.</summary>
    public static void RecoverOrphans(CollectorOptions options, Action<string> warn)
    {
        if (options.Segments is null)
        {
            return;
        }

        try
        {
            var orphans = new OrphanSegments(options.Directory, options.TimeField, options.Segments, options.Durability == Durability.Fsync);
            foreach (var result in orphans.Run(onError: (file, e) => warn($"{file}: {e.Message}")))
            {
                if (result.Action != SegmentAction.SkippedActive)
                {
                    warn($"{result.Source}: {result.Action} to {result.Destination} ({result.Reason}).");
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            warn($"Recovering the segments in {SegmentLayout.Active(options.Directory)} failed: {e.Message}");
        }
    }

    public void Add(ReadOnlySpan<byte> line, Period period, in RecordCheck.Fields fields, DateTime nowUtc)
    {
        if (_period is { } current && current != period)
        {
            Report(FlushAll());
            CloseAll();
        }

        _period = period;
        _lock ??= TakeLock();
        var partition = PartitionOf(line);
        if (!_open.TryGetValue(partition, out var segment))
        {
            _open[partition] = segment = new Segment(partition);
        }

        if (_pendingCount == 0)
        {
            _firstPendingUtc = nowUtc;
        }

        segment.Pending.Write(line);
        segment.Pending.WriteByte((byte)'\n');
        segment.PendingCount++;
        _pendingCount++;
        _pendingBytes += line.Length + 1;
        _lastTime = fields.Time.IsPresent ? fields.Time : _lastTime;
        _lastSequence = fields.Sequence.IsPresent ? fields.Sequence : _lastSequence;
        if (_pendingBytes > _segments.MaxBufferSize)
        {
            // Not checkpointed here: the checkpoint's last time and sequence must be of a flushed record.
            Report(Write(_open.Values.MaxBy(s => s.Pending.Length)!));
        }
    }

    public bool FlushDue(DateTime nowUtc) =>
        _pendingCount >= _options.FlushCount || (_pendingCount > 0 && nowUtc - _firstPendingUtc >= _options.FlushInterval);

    public (int Records, long Bytes) Flush(DateTime nowUtc)
    {
        var flushed = FlushAll();
        flushed = (flushed.Records + _unreported.Records, flushed.Bytes + _unreported.Bytes);
        _unreported = default;
        if (flushed.Records > 0)
        {
            SaveCheckpoint(nowUtc);
        }

        return flushed;
    }

    private void Report((int Records, long Bytes) flushed) =>
        _unreported = (_unreported.Records + flushed.Records, _unreported.Bytes + flushed.Bytes);

    private (int Records, long Bytes) FlushAll()
    {
        (int Records, long Bytes) total = default;
        foreach (var segment in _open.Values.Where(s => s.PendingCount > 0).ToList())
        {
            var (records, bytes) = Write(segment);
            total = (total.Records + records, total.Bytes + bytes);
        }

        return total;
    }

    /// <summary>Appends a segment's buffered records to its journal in one write; on an IOException the journal is
    /// cut back to where the write began and the records stay buffered. A full segment is closed into ready/.</summary>
    private (int Records, long Bytes) Write(Segment segment)
    {
        var file = OpenFile(segment);
        var start = segment.Length;
        try
        {
            file.Position = start;
            file.Write(segment.Pending.GetBuffer(), 0, (int)segment.Pending.Length);
            file.Flush(flushToDisk: _options.Durability == Durability.Fsync);
        }
        catch (IOException)
        {
            TryCutBack(file, segment, start);
            throw;
        }

        var written = (segment.PendingCount, segment.Pending.Length);
        segment.Length += segment.Pending.Length;
        segment.Rows += segment.PendingCount;
        _pendingCount -= segment.PendingCount;
        _pendingBytes -= segment.Pending.Length;
        _totalFlushed += segment.PendingCount;
        segment.Pending.SetLength(0);
        segment.PendingCount = 0;
        _lastFile = segment.Path;
        if (segment.Length >= _segments.SegmentMaxSize)
        {
            Close(segment);
            _open.Remove(segment.Partition);
        }

        return written;
    }

    private void TryCutBack(FileStream file, Segment segment, long length)
    {
        try
        {
            file.SetLength(length);
            file.Flush(flushToDisk: false);
        }
        catch (IOException e)
        {
            _warn($"{segment.Path}: could not cut a failed write back to {length} bytes ({e.Message}); Move-OrphanSegment keeps only whole rows.");
        }
    }

    private FileStream OpenFile(Segment segment)
    {
        segment.LastUse = ++_useClock;
        if (segment.File is { } open)
        {
            return open;
        }

        if (_openFiles >= _segments.MaxOpenSegments)
        {
            var idle = _open.Values.Where(s => s.File is not null).MinBy(s => s.LastUse)!;
            idle.File!.Dispose();
            idle.File = null;
            _openFiles--;
        }

        var created = segment.Path is null;
        if (created)
        {
            var folder = Path.Combine(SegmentLayout.Active(_options.Directory), _stream, segment.Partition);
            Directory.CreateDirectory(folder);
            var stamp = _period!.Value.Stamp(_options.Rotation);
            segment.Path = Path.Combine(folder, SegmentLayout.BaseName(_stream, stamp, NextSequence(stamp)) + SegmentLayout.JournalExtension);
        }

        // CreateNew: a segment name is never reused, so nothing is ever appended to another run's journal.
        segment.File = new FileStream(segment.Path!, created ? FileMode.CreateNew : FileMode.Open, FileAccess.Write,
            FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        _openFiles++;
        if (created && _options.Durability == Durability.Fsync)
        {
            Durable.FlushDirectory(Path.GetDirectoryName(segment.Path!)!);
        }

        CurrentFile = segment.Path;
        return segment.File;
    }

    /// <summary>The next sequence number of the period, across the stream's partitions; the last one given is kept in
    /// .pipelineops/{stream}.segments, so numbers are never reused, even after ready/ was synced away.</summary>
    private int NextSequence(string stamp)
    {
        var statePath = Path.Combine(_options.Directory, ".pipelineops", $"{_stream}.segments");
        if (_sequence is not { } known || known.Stamp != stamp)
        {
            var next = 1;
            if (File.Exists(statePath) && File.ReadAllText(statePath).Split(' ') is [var savedStamp, var savedNext] && savedStamp == stamp
                && int.TryParse(savedNext, out var n))
            {
                next = n;
            }

            _sequence = (stamp, next);
        }

        var sequence = _sequence.Value.Next;
        _sequence = (stamp, sequence + 1);
        Durable.WriteAllBytes(statePath, Encoding.ASCII.GetBytes($"{stamp} {sequence + 1}"), _options.Durability == Durability.Fsync);
        return sequence;
    }

    /// <summary>The Hive folders of a record: k=v/k2=v2 from its top-level -PartitionBy fields ("" without any).</summary>
    private string PartitionOf(ReadOnlySpan<byte> line)
    {
        if (_partitionNames.Length == 0)
        {
            return "";
        }

        var values = new string?[_partitionNames.Length];
        var reader = new Utf8JsonReader(line);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var index = -1;
            for (var i = 0; i < _partitionNames.Length && index < 0; i++)
            {
                index = reader.ValueTextEquals(_partitionNames[i]) ? i : -1;
            }

            reader.Read();
            if (index >= 0 && values[index] is null)
            {
                values[index] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Null => null,
                    JsonTokenType.StartObject or JsonTokenType.StartArray => null,
                    _ => Encoding.UTF8.GetString(reader.ValueSpan),
                };
            }

            reader.Skip();
        }

        var builder = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(Path.DirectorySeparatorChar);
            }

            builder.Append(_segments.PartitionBy[i]).Append('=').Append(HivePartition.Escape(values[i]));
        }

        return builder.ToString();
    }

    private void Close(Segment segment)
    {
        if (segment.File is { } file)
        {
            file.Dispose();
            segment.File = null;
            _openFiles--;
        }

        if (segment.Path is null)
        {
            return;
        }

        try
        {
            var result = SegmentCompactor.Compact(_options.Directory, segment.Path, _options.TimeField, _segments, _options.Durability == Durability.Fsync);
            if (result.Action != SegmentAction.Salvaged || result.Quarantined is not null)
            {
                _warn($"{result.Source}: {result.Action} to {result.Destination} ({result.Reason}).");
            }

            CurrentFile = result.Destination;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            // The journal holds the rows and stays in active/: Move-OrphanSegment or the next start closes it.
            _warn($"{segment.Path}: could not be closed into ready/ ({e.Message}); it stays in active/ for the next start.");
        }
    }

    private void CloseAll()
    {
        foreach (var segment in _open.Values)
        {
            Close(segment);
        }

        _open.Clear();
        _period = null;
    }

    private void SaveCheckpoint(DateTime nowUtc) =>
        _checkpoints.Offer(new Checkpoint(_stream, _lastFile is null ? "" : Path.GetRelativePath(_options.Directory, _lastFile), 0,
            _open.Values.Sum(s => s.Rows), _totalFlushed, _lastTime.Text, _lastSequence.Text, nowUtc));

    private FileStream TakeLock()
    {
        var path = LockPath(_options.Directory, _stream);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new CollectorConflictException($"Stream '{_stream}' in '{_options.Directory}' is being collected by another process ({e.Message}).");
        }
    }

    /// <summary>Closes every segment into ready/ (what is still buffered was flushed by the collector's final flush).</summary>
    public void Dispose()
    {
        try
        {
            _checkpoints.SaveUnsaved();
            CloseAll();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            _warn($"Closing the segments of stream '{_stream}' failed ({e.Message}); Move-OrphanSegment or the next start closes them.");
        }
        finally
        {
            _lock?.Dispose();
            _lock = null;
        }
    }

    private sealed class Segment(string partition)
    {
        public string Partition { get; } = partition;

        public string? Path { get; set; }

        public FileStream? File { get; set; }

        public long Length { get; set; }

        public long Rows { get; set; }

        public long LastUse { get; set; }

        public MemoryStream Pending { get; } = new();

        public int PendingCount { get; set; }
    }
}
