namespace PipelineOps.Files;

/// <summary>
/// Applies the activity rules to files. One instance serves one call: it remembers each directory's group index
/// and the open-writer snapshot, so a batch of 100,000 files lists each directory once and scans /proc once.
/// </summary>
public sealed class FileActivityInspector
{
    private readonly FileActivityOptions _options;
    private readonly TimeProvider _clock;
    private readonly IOpenWriterProbe _writers;
    private readonly Dictionary<string, GroupIndex> _indexes = new(GroupIndex.NameComparer);

    public FileActivityInspector(FileActivityOptions options, TimeProvider? clock = null, IOpenWriterProbe? writers = null)
    {
        _options = options;
        _clock = clock ?? TimeProvider.System;
        _writers = options.CheckWriters ? writers ?? OpenWriterProbe.ForCurrentPlatform(_clock) : UnavailableWriterProbe.Instance;
    }

    public FileActivityOptions Options => _options;

    /// <summary>How far the OpenForWrite rule could look in this call.</summary>
    public WriterCheck WriterCoverage => _writers.Coverage;

    /// <summary>Classifies a file as it is now.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (any more).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be read.</exception>
    public FileActivity Inspect(FileInfo file) => Inspect(file, earlier: null);

    /// <summary>Classifies a file, firing Growing when it differs from an earlier measurement.</summary>
    public FileActivity Inspect(FileInfo file, FileMeasurement? earlier)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Cannot find file '{file.FullName}'.", file.FullName);
        }

        var path = file.FullName;
        var name = file.Name;
        var length = file.Length;
        var lastWrite = file.LastWriteTimeUtc;
        var reasons = new List<ActivityReason>(2);

        var stamp = FileNameStamp.TryParse(name);
        if (!_options.IncludeLatest && stamp is not null && IndexFor(file.DirectoryName!).IsLatest(stamp))
        {
            reasons.Add(ActivityReason.Latest);
        }

        // A write time in the future (clock skew, a copy that kept its stamp) counts as recent too.
        if (_options.QuietPeriod > TimeSpan.Zero && _clock.GetUtcNow().UtcDateTime - lastWrite < _options.QuietPeriod)
        {
            reasons.Add(ActivityReason.RecentlyModified);
        }

        var writers = _writers.WritersOf(path);
        if (writers.Count > 0)
        {
            reasons.Add(ActivityReason.OpenForWrite);
        }

        if (earlier is not null && (earlier.Length != length || earlier.LastWriteTimeUtc != lastWrite))
        {
            reasons.Add(ActivityReason.Growing);
        }

        if (FileNameRules.IsTempName(name))
        {
            reasons.Add(ActivityReason.TempName);
        }

        if (TailInspector.HasTornTail(path, length))
        {
            reasons.Add(ActivityReason.TornTail);
        }

        return new FileActivity(path, reasons.Count > 0, reasons, stamp?.Group ?? FileNameRules.BareGroup(name),
            length, lastWrite, _writers.Coverage, writers);
    }

    private GroupIndex IndexFor(string directory)
    {
        if (!_indexes.TryGetValue(directory, out var index))
        {
            _indexes[directory] = index = GroupIndex.Build(directory);
        }

        return index;
    }
}

/// <summary>A file's size and write time at one moment.</summary>
public sealed record FileMeasurement(string Path, long Length, DateTime LastWriteTimeUtc)
{
    public static FileMeasurement Of(FileInfo file) => new(file.FullName, file.Length, file.LastWriteTimeUtc);
}
