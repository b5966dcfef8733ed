namespace PipelineOps.Files;

/// <summary>
/// Feeds files to an inspector as they arrive. Without a stability window each file is answered at once.
/// With one, files are measured as they arrive and answered after a single wait that ends one window after
/// the first arrival: the wait is paid once per call, not once per file.
/// </summary>
public sealed class FileActivityBatch
{
    private readonly FileActivityInspector _inspector;
    private readonly TimeProvider _clock;
    private readonly List<FileMeasurement> _pending = [];
    private DateTimeOffset? _firstMeasuredAt;

    public FileActivityBatch(FileActivityInspector inspector, TimeProvider? clock = null)
    {
        _inspector = inspector;
        _clock = clock ?? TimeProvider.System;
    }

    private TimeSpan? Window => _inspector.Options.StabilityWindow;

    /// <summary>Takes one file. Returns its answer now, or null when it waits for the stability window.</summary>
    public FileActivity? Add(FileInfo file)
    {
        if (Window is null)
        {
            return _inspector.Inspect(file);
        }

        if (!file.Exists)
        {
            throw new FileNotFoundException($"Cannot find file '{file.FullName}'.", file.FullName);
        }

        _firstMeasuredAt ??= _clock.GetUtcNow();
        _pending.Add(FileMeasurement.Of(file));
        return null;
    }

    /// <summary>Number of files waiting for the stability window.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Waits out the rest of the stability window once.</summary>
    public async Task WaitForWindowAsync(CancellationToken cancellationToken)
    {
        if (Window is not { } window || _firstMeasuredAt is not { } first)
        {
            return;
        }

        var remaining = first + window - _clock.GetUtcNow();
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Answers every waiting file; call after <see cref="WaitForWindowAsync"/>.
    /// A failure for one file is returned as an exception in its slot so the rest still get their answer.</summary>
    public IEnumerable<(FileMeasurement File, FileActivity? Activity, Exception? Error)> DrainPending()
    {
        foreach (var measured in _pending)
        {
            FileActivity? activity = null;
            Exception? error = null;
            try
            {
                activity = _inspector.Inspect(new FileInfo(measured.Path), measured);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = e;
            }

            yield return (measured, activity, error);
        }

        _pending.Clear();
        _firstMeasuredAt = null;
    }
}
