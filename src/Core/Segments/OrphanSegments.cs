using PipelineOps.Conversion;
using PipelineOps.Files;
using PipelineOps.IO;

namespace PipelineOps.Segments;

/// <summary>
/// Move-OrphanSegment: the files in active/ that no live writer holds, after a crash or a kill. A stream's files
/// are held while its collector holds the stream lock ({Directory}/.pipelineops/{stream}.lock); any file another
/// process has open for writing is held too (Test-FileActive's open-writer rule). Each orphan is then: a valid
/// Parquet file -> moved to ready/; a row journal -> its complete rows closed into a Parquet file in ready/
/// (<see cref="SegmentCompactor"/>); anything unusable -> quarantine/, never deleted.
/// </summary>
public sealed class OrphanSegments
{
    private readonly string _directory;
    private readonly string _timeField;
    private readonly SegmentOptions _options;
    private readonly bool _flushToDisk;

    public OrphanSegments(string directory, string timeField = "time", SegmentOptions? options = null, bool flushToDisk = true)
    {
        _directory = Path.GetFullPath(directory);
        _timeField = timeField;
        _options = options ?? new SegmentOptions();
        _flushToDisk = flushToDisk;
    }

    /// <summary>Segment files in active/ (journals and Parquet files), in name order; hidden files left out.</summary>
    public IReadOnlyList<string> Find()
    {
        var active = SegmentLayout.Active(_directory);
        if (!Directory.Exists(active))
        {
            return [];
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        return Directory.EnumerateFiles(active, "*", options)
            .Where(p => !Path.GetFileName(p).StartsWith('.')
                        && (SegmentLayout.IsJournal(p) || p.EndsWith(SegmentLayout.ParquetExtension, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Handles every orphan; <paramref name="shouldProcess"/> (file, action) may decline one (-WhatIf). A file that
    /// cannot be handled (a full disk) is left as it was and reported to <paramref name="onError"/>.</summary>
    public IEnumerable<SegmentResult> Run(Func<string, string, bool>? shouldProcess = null, Action<int, int, string>? progress = null,
        Action<string, Exception>? onError = null)
    {
        SegmentCompactor.RemoveStaleScratch(_directory,
            shouldProcess is null ? null : folder => shouldProcess(folder, "Remove the scratch folder of an interrupted compaction"));
        var files = Find();
        var locks = new Dictionary<string, FileStream?>(StringComparer.Ordinal);
        var probe = OpenWriterProbe.ForCurrentPlatform(TimeProvider.System);
        try
        {
            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                progress?.Invoke(i, files.Count, file);
                var stream = SegmentLayout.StreamOf(_directory, file);
                if (!locks.TryGetValue(stream, out var held))
                {
                    locks[stream] = held = TryLock(stream);
                }

                if (held is null)
                {
                    yield return new SegmentResult(file, null, 0, SegmentAction.SkippedActive, $"a collector holds stream '{stream}'");
                    continue;
                }

                var writers = Writers(probe, file);
                if (writers.Count > 0)
                {
                    yield return new SegmentResult(file, null, 0, SegmentAction.SkippedActive, $"open for writing by {string.Join(", ", writers)}");
                    continue;
                }

                var journal = SegmentLayout.IsJournal(file);
                if (shouldProcess is not null && !shouldProcess(file, journal ? "Close row journal into ready/" : "Move to ready/"))
                {
                    continue;
                }

                SegmentResult result;
                try
                {
                    result = journal ? SegmentCompactor.Compact(_directory, file, _timeField, _options, _flushToDisk) : MoveParquet(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
                {
                    // The file stays where it is, untouched, for the next run; the others go on.
                    onError?.Invoke(file, e);
                    continue;
                }

                yield return result;
            }
        }
        finally
        {
            foreach (var held in locks.Values)
            {
                held?.Dispose();
            }
        }
    }

    private static IReadOnlyList<string> Writers(IOpenWriterProbe probe, string file)
    {
        try
        {
            return probe.WritersOf(FileEntry.Of(new FileInfo(file)));
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    private SegmentResult MoveParquet(string file)
    {
        var report = ParquetFileCheck.Inspect(file, deep: true, _timeField);
        if (!report.IsValid)
        {
            return SegmentCompactor.QuarantineWhole(_directory, file,
                $"not a whole Parquet file ({report.Problem}); no row journal was kept for it, so no row is recoverable");
        }

        var target = SegmentLayout.ReadyPathFor(_directory, file);
        if (File.Exists(target))
        {
            return SegmentCompactor.QuarantineWhole(_directory, file, $"ready/ already has a file named {Path.GetFileName(target)}");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(file, target, overwrite: false);
        if (_flushToDisk)
        {
            Durable.FlushDirectory(Path.GetDirectoryName(target)!);
        }

        return new SegmentResult(file, target, report.Rows, SegmentAction.Moved, "a whole Parquet file") { Outputs = [target] };
    }

    /// <summary>The stream's lock, or null when a collector holds it.</summary>
    private FileStream? TryLock(string stream)
    {
        var path = SegmentSink.LockPath(_directory, stream);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
