using PipelineOps.Conversion;
using PipelineOps.IO;

namespace PipelineOps.Segments;

/// <summary>
/// Closes a row journal into a whole Parquet file in ready/. The journal's complete lines are converted by the same
/// converter as Convert-JsonlToParquet (same schema rules, large row groups) into a scratch folder, read back and
/// counted, and only then renamed into ready/ and the journal removed. A torn last line (a kill mid-write) was never
/// reported flushed: the original is kept in quarantine/. A crash at any step leaves the journal in active/, and the
/// next run does the same again; ready/ names come from the journal's name, so a repeat replaces its own outputs.
/// </summary>
public static class SegmentCompactor
{
    public static SegmentResult Compact(string directory, string journal, string timeField, SegmentOptions options, bool flushToDisk)
    {
        var (lines, tornBytes, length) = Measure(journal);
        if (lines == 0)
        {
            return QuarantineWhole(directory, journal,
                length == 0 ? "an empty row journal (nothing was flushed to it)" : $"a row journal with no complete row ({length} bytes of a torn write)");
        }

        var scratch = Path.Combine(ScratchRoot(directory), Guid.NewGuid().ToString("N"));
        try
        {
            ConversionResult converted;
            // The scratch folder's lock is held until its rejects are kept: a folder whose lock is free is finished
            // with, or was left by a kill (RemoveStaleScratch).
            using var run = ConversionRun.Open(new ConversionOptions
            {
                Destination = scratch,
                TimeField = timeField,
                PartitionBy = SegmentLayout.PartitionFieldsOf(directory, journal),
                Schema = options.Schema,
                SchemaOrderGiven = options.SchemaOrderGiven,
                Compression = options.Compression,
                BadLinePolicy = BadLinePolicy.Quarantine,
            });
            converted = run.Convert(journal);

            if (converted.Status != ConversionStatus.Converted)
            {
                // Its rows are still only here (a full disk, say): it stays in active/ for the next try.
                throw new IOException($"{journal}: cannot be closed into ready/ ({converted.Reason}); it stays in active/.");
            }

            if (tornBytes > 0 && !converted.TornTail)
            {
                // The write in flight was cut just before its newline: its record is whole, and the shared line rules
                // read it as a row. Nothing of the journal is lost, so nothing needs keeping in quarantine.
                lines++;
                tornBytes = 0;
            }

            var outputs = converted.Outputs.Order(StringComparer.Ordinal).ToArray();
            long rows = 0;
            foreach (var output in outputs)
            {
                var report = ParquetFileCheck.Inspect(output, deep: true, timeField);
                rows += report.IsValid ? report.Rows : throw new InvalidDataException($"{output}: the converted segment does not read back: {report.Problem}");
            }

            if (rows != converted.Rows || rows + converted.BadLines != lines)
            {
                throw new InvalidDataException(
                    $"{journal}: {lines} complete rows, but {rows} read back from the converted segment and {converted.BadLines} rejected.");
            }

            var published = new List<string>();
            for (var i = 0; i < outputs.Length; i++)
            {
                var target = SegmentLayout.ReadyPathFor(directory, journal, i);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Move(outputs[i], target, overwrite: true); // only ever this journal's own earlier output
                published.Add(target);
            }

            if (flushToDisk)
            {
                // The converter synced the files' content; the renames into ready/ need their folders synced.
                foreach (var folder in published.Select(Path.GetDirectoryName).Distinct())
                {
                    Durable.FlushDirectory(folder!);
                }
            }

            KeepRejects(directory, scratch);
            string? kept = null;
            if (tornBytes > 0)
            {
                kept = MoveToQuarantine(directory, journal);
            }
            else
            {
                File.Delete(journal);
            }

            Durable.FlushDirectory(Path.GetDirectoryName(journal)!);
            var reason = tornBytes > 0 ? $"{lines} rows salvaged; a torn last write of {tornBytes} bytes was never flushed, the original is kept in quarantine"
                : $"{lines} rows";
            if (converted.BadLines > 0)
            {
                reason += $"; {converted.BadLines} rows did not fit the schema and went to _rejects";
            }

            return new SegmentResult(journal, published[0], rows, SegmentAction.Salvaged, reason) { Outputs = published, Quarantined = kept };
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    /// <summary>Complete lines, the bytes after the last newline, and the length.</summary>
    private static (long Lines, long TornBytes, long Length) Measure(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        var buffer = new byte[1 << 16];
        long lines = 0, position = 0, lastNewline = -1;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            lines += span.Count((byte)'\n');
            var last = span.LastIndexOf((byte)'\n');
            if (last >= 0)
            {
                lastNewline = position + last;
            }

            position += read;
        }

        return (lines, position - (lastNewline + 1), position);
    }

    internal static SegmentResult QuarantineWhole(string directory, string path, string reason) =>
        new(path, MoveToQuarantine(directory, path), 0, SegmentAction.Quarantined, reason);

    internal static string MoveToQuarantine(string directory, string path)
    {
        var target = SegmentLayout.QuarantinePathFor(directory, path);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(path, target, overwrite: false);
        Durable.FlushDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    private static void KeepRejects(string directory, string scratch)
    {
        var rejects = Path.Combine(scratch, "_rejects");
        if (!Directory.Exists(rejects))
        {
            return;
        }

        var target = Path.Combine(directory, "_rejects", "segments");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(rejects))
        {
            File.Move(file, Path.Combine(target, $"{Guid.NewGuid():N}-{Path.GetFileName(file)}"));
        }
    }

    private static string ScratchRoot(string directory) => Path.Combine(directory, ".pipelineops", "compact");

    /// <summary>
    /// Removes the scratch folders that compactions killed mid-way left behind (a kill skips their cleanup): those
    /// whose conversion lock no one holds, and those without a lock that are over ten minutes old (a live compaction
    /// takes its lock right after making the folder). Only derived files are there: the rows are still in the journal.
    /// </summary>
    /// <returns>The folders removed.</returns>
    public static IReadOnlyList<string> RemoveStaleScratch(string directory, Func<string, bool>? shouldRemove = null)
    {
        var root = ScratchRoot(directory);
        if (!Directory.Exists(root))
        {
            return [];
        }

        var removed = new List<string>();
        foreach (var folder in Directory.EnumerateDirectories(root).ToList())
        {
            var lockPath = Path.Combine(folder, "_pipelineops", "lock");
            try
            {
                if (File.Exists(lockPath))
                {
                    using (new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    {
                        // free: no live compaction holds it
                    }
                }
                else if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) < TimeSpan.FromMinutes(10))
                {
                    continue;
                }
            }
            catch (IOException)
            {
                continue; // held: a compaction is running
            }

            if (shouldRemove?.Invoke(folder) ?? true)
            {
                TryDelete(folder);
                if (!Directory.Exists(folder))
                {
                    removed.Add(folder);
                }
            }
        }

        return removed;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
