using System.Globalization;
using PipelineOps.Conversion;
using PipelineOps.Files;
using PipelineOps.IO;
using PipelineOps.Text;

namespace PipelineOps.Collection.Continuity;

/// <summary>
/// Reads a stream's collected files in time order and measures coverage: first and last record time, gaps longer
/// than the threshold per product, empty files and bad lines (with file and line). Memory holds one last time per
/// product and at most <see cref="MaxListedGaps"/> gaps, whatever the size of the files.
/// </summary>
public sealed class ContinuityAnalyzer(string timeField, string? productField, TimeSpan gapThreshold)
{
    public const int MaxListedGaps = 10_000;
    private const int MaxProblems = 100;

    /// <summary>Groups files by series (level2_20251114.jsonl and level2_20251114_15.jsonl are both level2).</summary>
    public static IEnumerable<IGrouping<string, string>> ByStream(IEnumerable<string> files) =>
        files.GroupBy(f => FileNameStamp.TryParse(Path.GetFileName(f))?.Group ?? Path.GetFileNameWithoutExtension(f), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);

    /// <param name="onBytes">Called now and then with the bytes of this stream's files read so far (compressed bytes for .gz).</param>
    public ContinuityReport Analyze(string stream, IEnumerable<string> files, CancellationToken cancellationToken = default,
        Action<long>? onBytes = null)
    {
        var ordered = files
            .Select(f => (File: f, Stamp: FileNameStamp.TryParse(Path.GetFileName(f))))
            .OrderBy(f => f.Stamp?.Start ?? DateTime.MaxValue).ThenBy(f => f.Stamp?.Sequence ?? 0).ThenBy(f => f.File, StringComparer.Ordinal)
            .Select(f => f.File).ToList();
        var last = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        var gaps = new List<Gap>();
        var problems = new List<string>();
        var empty = new List<string>();
        long records = 0, bad = 0, gapCount = 0;
        var gapTime = TimeSpan.Zero;
        DateTime? start = null, end = null;

        long filesRead = 0;
        foreach (var file in ordered)
        {
            long fileRecords = 0;
            Stream input;
            FileStream raw;
            try
            {
                input = Open(file, out raw);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A FIFO, a device or a directory is never read (it could block or never end); the report goes on.
                Problem(problems, $"{file}: skipped: {e.Message}");
                continue;
            }

            using var _ = input;
            var reader = new LineReader(input, JsonLineRules.DefaultMaxBytes) { ReturnUnterminated = true };
            var torn = false;
            while (true)
            {
                Line line;
                try
                {
                    if (!reader.TryRead(out line))
                    {
                        break;
                    }
                }
                catch (InvalidDataException e)
                {
                    Problem(problems, $"{file}: damaged gzip data after {reader.Position:N0} decompressed bytes ({e.Message}); the rest of the file is not read");
                    break;
                }
                catch (GzipTrailingDataException e)
                {
                    Problem(problems, $"{file}: {e.Message}; the records before it are counted");
                    break;
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (onBytes is not null && line.Number % 10_000 == 0)
                {
                    onBytes(filesRead + raw.Position);
                }

                if (JsonLineRules.IsBlank(line.Bytes) && !line.TooLong)
                {
                    continue;
                }

                DateTime? time = null;
                string? product = null;
                // The shared verdict first, so a line is bad here exactly when the converter and the collector call it bad.
                string? error = line.TooLong ? "line too long" : JsonLineRules.Verdict(line.Bytes);
                if (line.Unterminated && error is not null)
                {
                    torn = true; // an incomplete last line: the torn tail of a cut write, reported below
                    continue;
                }

                if (error is null)
                {
                    var fields = RecordInspector.Inspect(line.Bytes, productField ?? "\0", timeField, "\0");
                    product = fields.Stream;
                    time = ParseTime(fields.Time);
                    error = time is null ? $"no readable '{timeField}'" : null;
                }

                if (error is not null)
                {
                    bad++;
                    if (problems.Count < MaxProblems)
                    {
                        problems.Add($"{file}, line {line.Number}: {error}");
                    }

                    continue;
                }

                records++;
                fileRecords++;
                var t = time!.Value;
                start = start is { } s && s <= t ? s : t;
                end = end is { } e2 && e2 >= t ? e2 : t;
                var key = product ?? "";
                if (last.TryGetValue(key, out var previous))
                {
                    if (t - previous > gapThreshold)
                    {
                        gapCount++;
                        gapTime += t - previous;
                        if (gaps.Count < MaxListedGaps)
                        {
                            gaps.Add(new Gap(product, previous, t) { Stream = stream });
                        }
                    }

                    if (t > previous)
                    {
                        last[key] = t;
                    }
                }
                else
                {
                    last[key] = t;
                }
            }

            if (torn && problems.Count < MaxProblems)
            {
                problems.Add($"{file}: ends in a torn line of {reader.TornTailBytes} bytes (still being written, or a crash)");
            }

            if (fileRecords == 0)
            {
                empty.Add(file);
            }

            filesRead += raw.Length;
            onBytes?.Invoke(filesRead);
        }

        var span = (end - start) ?? TimeSpan.Zero;
        var products = last.Keys.Where(k => k.Length > 0).Order(StringComparer.Ordinal).ToList();
        var coverage = span > TimeSpan.Zero ? Math.Clamp(1 - gapTime / (span * Math.Max(last.Count, 1)), 0, 1) : records > 0 ? 1 : 0;
        var validity = records + bad > 0 ? records / (double)(records + bad) : 0;
        return new ContinuityReport(stream, ordered, records, bad, empty, start, end, products, gaps, gapCount, gapTime,
            coverage, validity, Math.Round(100 * coverage * validity, 2), problems);
    }

    private static void Problem(List<string> problems, string text)
    {
        if (problems.Count < MaxProblems)
        {
            problems.Add(text);
        }
    }

    /// <summary>A regular file (a symbolic link's target), read up to the length it had when opened.</summary>
    private static Stream Open(string file, out FileStream raw)
    {
        raw = RegularFile.OpenRead(file, followLinks: true, out var info);
        Stream? first = new LengthLimitedStream(raw, info.Length);
        if (!file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            return first;
        }

        // Opened again only to find where data after the last member begins.
        return new GzipContentStream(() =>
        {
            var stream = first ?? new LengthLimitedStream(RegularFile.OpenRead(file, followLinks: true, out _), info.Length);
            first = null;
            return stream;
        });
    }

    /// <summary>ISO 8601 text, or Unix seconds / milliseconds; null for anything else, a time out of range included.</summary>
    private static DateTime? ParseTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            var seconds = number > 1e11 ? number / 1000 : number;
            var max = (DateTime.MaxValue - DateTime.UnixEpoch).TotalSeconds;
            var min = (DateTime.MinValue - DateTime.UnixEpoch).TotalSeconds;
            return double.IsFinite(seconds) && seconds > min && seconds < max ? DateTime.UnixEpoch.AddSeconds(seconds) : null;
        }

        return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
    }
}
