using PipelineOps.Conversion;
using PipelineOps.IO;

namespace PipelineOps.Collection;

/// <summary>
/// One stream's writing: the open file of the current period, the records buffered for it, and its checkpoint.
/// Files are only ever appended to; a batch is written in one write and, when the write fails (disk full), cut back
/// to where it started, so no torn line is left and the batch stays buffered for the retry. An exclusive lock per
/// stream keeps a second collector from writing the same files. The file's length is kept here rather than asked for
/// before each write: on Linux the file is in append mode (<see cref="KernelAppend"/>), so a write lands at the real end
/// even if some other process appended meanwhile, and the length is checked against the file before each checkpoint.
/// </summary>
internal sealed class StreamSink : IStreamSink
{
    private readonly string _stream;
    private readonly CollectorOptions _options;
    private readonly Action<string> _warn;
    private readonly string _checkpointPath;
    private readonly CheckpointPacer _checkpoints;
    private readonly PageBuffer _pending = new(4096); // the buffered lines, each with its newline; grows to a flush's worth
    private FileStream? _lock;
    private FileStream? _file;
    private long _length; // the data file's length after this sink's last write
    private bool _kernelAppends;
    private Period? _period;
    private long _records;
    private long _totalFlushed;
    private int _pendingCount;
    private DateTime _firstPendingUtc;
    private LastFieldValue _lastTime; // as the record has it: text only when a checkpoint is saved
    private LastFieldValue _lastSequence;

    public StreamSink(string stream, CollectorOptions options, Action<string> warn)
    {
        _stream = stream;
        _options = options;
        _warn = warn;
        _checkpointPath = Checkpoint.PathFor(options.Directory, stream);
        _checkpoints = new CheckpointPacer(_checkpointPath, options.Durability == Durability.Fsync, saveOnNewFile: true,
            e => warn($"{_checkpointPath}: cannot save the checkpoint ({e.Message}); the data file stays the truth."),
            CheckedOffset);
    }

    public string? CurrentFile { get; private set; }

    public int PendingCount => _pendingCount;

    /// <summary>Buffers one record for the period it arrived in, rotating first when the period changed.</summary>
    public void Add(ReadOnlySpan<byte> line, Period period, in RecordCheck.Fields fields, DateTime nowUtc)
    {
        if (_period is { } current && current != period)
        {
            Flush(nowUtc);
            CloseFile();
        }

        if (_file is null)
        {
            Open(period);
        }

        if (_pendingCount == 0)
        {
            _firstPendingUtc = nowUtc;
        }

        var at = _pending.Length;
        var room = _pending.GetSpan(line.Length + 1); // one growth check for the line and its newline
        line.CopyTo(room);
        room[line.Length] = (byte)'\n';
        _pending.Advance(line.Length + 1);
        _pendingCount++;
        _lastTime.Note(fields.Time, line, at);
        _lastSequence.Note(fields.Sequence, line, at);
    }

    public bool FlushDue(DateTime nowUtc) =>
        _pendingCount >= _options.FlushCount || (_pendingCount > 0 && nowUtc - _firstPendingUtc >= _options.FlushInterval);

    /// <summary>When the buffered records must be flushed by, at the latest.</summary>
    public DateTime? FlushDeadline => _pendingCount > 0 ? _firstPendingUtc + _options.FlushInterval : null;

    /// <summary>Writes the buffered records in one write and flushes them. On an IOException the file is cut back to
    /// where the write began and the records stay buffered.</summary>
    /// <returns>Records and bytes flushed.</returns>
    public (int Records, long Bytes) Flush(DateTime nowUtc)
    {
        if (_pendingCount == 0 || _file is null)
        {
            return (0, 0);
        }

        // Without append mode the end is asked for, as the kernel would not find it for us.
        var start = _kernelAppends ? _length : _file.Length;
        try
        {
            _file.Position = start;
            _file.Write(_pending.Written);
            _file.Flush(flushToDisk: _options.Durability == Durability.Fsync);
        }
        catch (IOException)
        {
            TryCutBack(start);
            throw;
        }

        _length = start + _pending.Length;
        var flushed = (_pendingCount, (long)_pending.Length);
        _records += _pendingCount;
        _totalFlushed += _pendingCount;
        _lastTime.Keep(_pending.Written);
        _lastSequence.Keep(_pending.Written);
        _pending.Reset();
        _pendingCount = 0;
        SaveCheckpoint(nowUtc, start + flushed.Item2);
        return flushed;
    }

    private void TryCutBack(long length)
    {
        try
        {
            _file!.SetLength(length);
            _file.Flush(flushToDisk: false);
        }
        catch (IOException e)
        {
            _warn($"{CurrentFile}: could not cut a failed write back to {length} bytes ({e.Message}); the next start moves any torn tail aside.");
        }

        try
        {
            _length = _file!.Length; // the next write goes after whatever is there now
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Just before a checkpoint is saved (at most once a second, at rotation and at stop): one fstat. A file
    /// longer than this sink wrote it was appended to by another process (the stream lock keeps only collectors out);
    /// those bytes are kept, this sink's lines follow them, and the checkpoint's offset is the real length.</summary>
    private Checkpoint CheckedOffset(Checkpoint checkpoint)
    {
        if (_file is null || checkpoint.File != Path.GetFileName(CurrentFile) || _file.Length is var actual && actual == _length)
        {
            return checkpoint;
        }

        _warn($"{CurrentFile} is {actual:N0} bytes long, not the {_length:N0} this collector wrote: another process changed it (the stream lock keeps out only collectors). Nothing of it was overwritten; the checkpoint follows the file.");
        _length = actual;
        return checkpoint with { Offset = actual };
    }

    private void Open(Period period)
    {
        Directory.CreateDirectory(_options.Directory);
        _lock ??= TakeLock();
        var stamp = period.Stamp(_options.Rotation);
        var sequence = period.SecondPass ? 1 : 0;
        string path;
        if (_options.Resume)
        {
            path = Path.Combine(_options.Directory, StreamFileName.For(_stream, stamp, sequence, _options.Extension));
        }
        else
        {
            while (File.Exists(path = Path.Combine(_options.Directory, StreamFileName.For(_stream, stamp, sequence, _options.Extension))))
            {
                sequence++;
            }
        }

        var existed = File.Exists(path);
        if (existed)
        {
            var moved = TornTail.Repair(path, out var sidecar);
            if (moved > 0)
            {
                _warn($"{path}: a torn last line of {moved} bytes (a crash mid-write) was moved to {sidecar}.");
            }
        }

        // CreateNew when not resuming: nothing ever replaces an existing file.
        _file = new FileStream(path, existed ? FileMode.Open : FileMode.CreateNew, FileAccess.Write,
            FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        _kernelAppends = KernelAppend.TryEnable(_file.SafeFileHandle);
        _length = _file.Seek(0, SeekOrigin.End);
        _period = period;
        CurrentFile = path;
        Reconcile(path, _length);
    }

    /// <summary>Record counts from the checkpoint, checked against the data file (the truth), or counted afresh.</summary>
    private void Reconcile(string path, long length)
    {
        Checkpoint? checkpoint = null;
        try
        {
            checkpoint = Checkpoint.Load(_checkpointPath);
        }
        catch (InvalidDataException e)
        {
            _warn(e.Message + " It is rebuilt from the data file.");
        }

        _totalFlushed = checkpoint?.TotalFlushed ?? 0;
        _lastTime.Restore(checkpoint?.LastRecordTime);
        _lastSequence.Restore(checkpoint?.LastSequence);
        if (checkpoint is not null && checkpoint.File == Path.GetFileName(path) && checkpoint.Offset <= length)
        {
            var after = TornTail.CountLines(path, checkpoint.Offset);
            _records = checkpoint.Records + after;
            _totalFlushed += after;
            return;
        }

        _records = length == 0 ? 0 : TornTail.CountLines(path, 0);
        if (checkpoint is not null && checkpoint.File == Path.GetFileName(path))
        {
            _warn($"{path} is shorter ({length} bytes) than its checkpoint says ({checkpoint.Offset}); the checkpoint is rebuilt from the file.");
        }
        else if (checkpoint is null && length > 0)
        {
            _warn($"{path} has no checkpoint; it is rebuilt from the file ({_records} records).");
        }
    }

    private void SaveCheckpoint(DateTime nowUtc, long length) =>
        _checkpoints.Offer(new Checkpoint(_stream, Path.GetFileName(CurrentFile!), length, _records, _totalFlushed, _lastTime.Text(_pending.Written), _lastSequence.Text(_pending.Written), nowUtc));

    private FileStream TakeLock()
    {
        var path = Path.Combine(_options.Directory, ".pipelineops", $"{_stream}.lock");
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

    private void CloseFile()
    {
        _checkpoints.SaveUnsaved();
        _file?.Dispose();
        _file = null;
        _period = null;
    }

    public void Dispose()
    {
        CloseFile();
        _lock?.Dispose();
        _lock = null;
    }
}

/// <summary>Another collector holds the stream.</summary>
public sealed class CollectorConflictException(string message) : IOException(message);
