using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using PipelineOps.Conversion;
using PipelineOps.Files;

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
            using var raw = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
            using var input = Open(file, raw);
            var reader = new LineReader(input, 16 << 20);
            while (reader.TryRead(out var line))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (onBytes is not null && line.Number % 10_000 == 0)
                {
                    onBytes(filesRead + raw.Position);
                }

                if (line.Bytes.IsEmpty && !line.TooLong)
                {
                    continue;
                }

                DateTime? time = null;
                string? product = null;
                string? error = line.TooLong ? "line too long" : null;
                if (error is null)
                {
                    try
                    {
                        var fields = RecordInspector.Inspect(line.Bytes, productField ?? "\0", timeField, "\0");
                        product = fields.Stream;
                        time = ParseTime(fields.Time) ?? throw new JsonException($"no readable '{timeField}'");
                    }
                    catch (JsonException e)
                    {
                        error = e.Message;
                    }
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

            if (reader.TornTailBytes > 0 && problems.Count < MaxProblems)
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

    private static Stream Open(string file, FileStream stream)
    {
        return file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(stream, CompressionMode.Decompress) : stream;
    }

    /// <summary>ISO 8601 text, or Unix seconds / milliseconds.</summary>
    private static DateTime? ParseTime(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return DateTime.UnixEpoch.AddSeconds(number > 1e11 ? number / 1000 : number);
        }

        return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
            ? DateTime.SpecifyKind(t, DateTimeKind.Utc)
            : null;
    }
}
