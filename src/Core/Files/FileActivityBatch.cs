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

    /// <summary>True when answers wait for the stability window.</summary>
    public bool Waits => _inspector.Options.StabilityWindow is not null;

    /// <summary>Number of files waiting for the stability window.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Takes one file. Returns its answer now, or null when it waits for the stability window.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public FileActivity? Add(FileInfo file) => Add(FileEntry.Of(file));

    /// <summary>Takes one listed file. Returns its answer now, or null when it waits for the stability window.</summary>
    public FileActivity? Add(FileEntry file)
    {
        if (!Waits)
        {
            return _inspector.Inspect(file);
        }

        _firstMeasuredAt ??= _clock.GetUtcNow();
        _pending.Add(FileMeasurement.Of(file));
        return null;
    }

    /// <summary>Takes a directory listing: answers now (classified on all cores), or none while waiting.</summary>
    public IReadOnlyList<FileActivityOutcome> Add(DirectoryListing listing, CancellationToken cancellationToken = default)
    {
        if (!Waits)
        {
            return _inspector.InspectListing(listing, cancellationToken);
        }

        foreach (var file in listing.Files)
        {
            Add(file);
        }

        return [];
    }

    /// <summary>Waits out the rest of the stability window once.</summary>
    public async Task WaitForWindowAsync(CancellationToken cancellationToken)
    {
        if (_inspector.Options.StabilityWindow is not { } window || _firstMeasuredAt is not { } first)
        {
            return;
        }

        var remaining = first + window - _clock.GetUtcNow();
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Answers every waiting file, measured again now; call after <see cref="WaitForWindowAsync"/>.
    /// A failure for one file is returned in its slot so the rest still get their answer.</summary>
    public IEnumerable<FileActivityOutcome> DrainPending()
    {
        foreach (var measured in _pending)
        {
            yield return _inspector.TryInspect(new FileInfo(measured.Path), measured);
        }

        _pending.Clear();
        _firstMeasuredAt = null;
    }
}
