using System.Collections.Concurrent;
using PipelineOps.IO;

namespace PipelineOps.Files;

/// <summary>
/// Applies the activity rules to files. One instance serves one call: it remembers each directory's group index
/// and the open-writer snapshot, so a batch of 100,000 files lists each directory once and scans /proc once.
/// Safe to use from several threads.
/// </summary>
public sealed class FileActivityInspector
{
    // Below this many files a listing is classified on the calling thread: not worth the fan-out.
    private const int ParallelThreshold = 64;

    private readonly FileActivityOptions _options;
    private readonly TimeProvider _clock;
    private readonly IOpenWriterProbe _writers;
    private readonly ConcurrentDictionary<string, GroupIndex> _indexes = new(GroupIndex.NameComparer);

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
    public FileActivity Inspect(FileInfo file) => Inspect(FileEntry.Of(file));

    /// <summary>Classifies a listed file, firing Growing when it differs from an earlier measurement.</summary>
    public FileActivity Inspect(FileEntry file, FileMeasurement? earlier = null)
    {
        // A link is judged by its target (length, time, tail); a listing's zero length may be a FIFO or a device.
        // Both are checked on an opened descriptor that never blocks; regular files with data cost nothing more.
        string? notRegular = null;
        if (file.IsLink || file.Length == 0)
        {
            if (RegularFile.Inspect(file.FullPath, followLinks: true, out notRegular) is { } target)
            {
                file = file with { Length = target.Length, LastWriteTimeUtc = target.LastWriteTimeUtc };
            }
        }

        var reasons = new List<ActivityReason>(2);
        var stamp = FileNameStamp.TryParse(file.Name);
        if (!_options.IncludeLatest && stamp is not null && IndexFor(file.Directory).IsLatest(stamp))
        {
            reasons.Add(ActivityReason.Latest);
        }

        // A write time in the future (clock skew, a copy that kept its stamp) counts as recent too.
        if (_options.QuietPeriod > TimeSpan.Zero && _clock.GetUtcNow().UtcDateTime - file.LastWriteTimeUtc < _options.QuietPeriod)
        {
            reasons.Add(ActivityReason.RecentlyModified);
        }

        var writers = _writers.WritersOf(file);
        if (writers.Count > 0)
        {
            reasons.Add(ActivityReason.OpenForWrite);
        }

        if (earlier is not null && (earlier.Length != file.Length || earlier.LastWriteTimeUtc != file.LastWriteTimeUtc))
        {
            reasons.Add(ActivityReason.Growing);
        }

        if (FileNameRules.IsTempName(file.Name))
        {
            reasons.Add(ActivityReason.TempName);
        }

        if (notRegular is not null)
        {
            reasons.Add(ActivityReason.NotRegularFile);
        }
        else if (TailInspector.HasTornTail(file.FullPath, file.Length))
        {
            reasons.Add(ActivityReason.TornTail);
        }

        return new FileActivity(file.FullPath, reasons.Count > 0, reasons, stamp?.Group ?? FileNameRules.BareGroup(file.Name),
            file.Length, file.LastWriteTimeUtc, _writers.Coverage, writers) { IsLink = file.IsLink, NotRegularKind = notRegular };
    }

    /// <summary>Measures and classifies a file now; a file that is gone or cannot be read gets its error instead.</summary>
    public FileActivityOutcome TryInspect(FileInfo file, FileMeasurement? earlier = null)
    {
        try
        {
            return new FileActivityOutcome(file.FullName, Inspect(FileEntry.Of(file), earlier), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileActivityOutcome(file.FullName, null, e);
        }
    }

    /// <summary>
    /// Classifies every file of a directory listing, on all cores, and returns the answers in listing order.
    /// A file that vanished or cannot be read gets an error in its slot; the others are answered.
    /// </summary>
    public IReadOnlyList<FileActivityOutcome> InspectListing(DirectoryListing listing, CancellationToken cancellationToken = default)
    {
        if (listing.IsComplete)
        {
            _indexes.TryAdd(listing.Directory, GroupIndex.Build(listing.Files.Select(f => f.Name)));
        }

        var files = listing.Files;
        var outcomes = new FileActivityOutcome[files.Count];
        if (files.Count < ParallelThreshold)
        {
            for (var i = 0; i < files.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                outcomes[i] = Outcome(files[i]);
            }
        }
        else
        {
            var options = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount };
            Parallel.For(0, files.Count, options, i => outcomes[i] = Outcome(files[i]));
        }

        return outcomes;
    }

    private FileActivityOutcome Outcome(FileEntry file)
    {
        try
        {
            return new FileActivityOutcome(file.FullPath, Inspect(file), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FileActivityOutcome(file.FullPath, null, e);
        }
    }

    private GroupIndex IndexFor(string directory) => _indexes.GetOrAdd(directory, GroupIndex.Build);
}

/// <summary>A file's size and write time at one moment.</summary>
public sealed record FileMeasurement(string Path, long Length, DateTime LastWriteTimeUtc)
{
    public static FileMeasurement Of(FileEntry file) => new(file.FullPath, file.Length, file.LastWriteTimeUtc);
}

/// <summary>The answer for one file, or why there is none.</summary>
public sealed record FileActivityOutcome(string Path, FileActivity? Activity, Exception? Error);
