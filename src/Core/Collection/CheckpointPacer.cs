namespace PipelineOps.Collection;

/// <summary>
/// When a stream's checkpoint is replaced: after a flush, at most once per <see cref="Interval"/>, at once when it
/// names a new data file, and at close whatever is still unsaved. Replacing it costs a file creation and a rename (and
/// two disk flushes with Fsync); after every flush of 100 records that was a quarter of the collector's CPU. A
/// checkpoint lags the data, never leads it: the data file is the truth, and at start the records after the
/// checkpoint's offset are counted from it. <paramref name="beforeSave"/> may correct a checkpoint just before it is
/// written (the JSON-lines sink checks its data file's length there, once per save instead of once per write).
/// </summary>
internal sealed class CheckpointPacer(string path, bool fsync, bool saveOnNewFile, Action<Exception> failed,
    Func<Checkpoint, Checkpoint>? beforeSave = null)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private DateTime _savedUtc = DateTime.MinValue;
    private string? _savedFile;
    private Checkpoint? _unsaved;

    /// <summary>The checkpoint as of a flush that just succeeded: saved now or later.</summary>
    public void Offer(Checkpoint checkpoint)
    {
        var now = checkpoint.UpdatedUtc;
        if ((saveOnNewFile && checkpoint.File != _savedFile) || now - _savedUtc >= Interval || now < _savedUtc)
        {
            Save(checkpoint);
        }
        else
        {
            _unsaved = checkpoint;
        }
    }

    /// <summary>Saves the last checkpoint offered and not yet saved (at rotation and stop).</summary>
    public void SaveUnsaved()
    {
        if (_unsaved is { } checkpoint)
        {
            Save(checkpoint);
        }
    }

    private void Save(Checkpoint checkpoint)
    {
        try
        {
            checkpoint = beforeSave?.Invoke(checkpoint) ?? checkpoint;
            checkpoint.Save(path, fsync);
            _savedUtc = checkpoint.UpdatedUtc;
            _savedFile = checkpoint.File;
            _unsaved = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _unsaved = checkpoint;
            failed(e);
        }
    }
}
