using System.Globalization;
using System.Text;
using System.Text.Json;
using PipelineOps.IO;

namespace PipelineOps.Staging;

/// <summary>
/// An append-only JSON-lines manifest of processed files (manifests/processed.jsonl): one line per file, with
/// raw, bronze and mtime (Unix seconds) as the staging design has them, plus size and added.
/// Several processes may append at once: each append holds an exclusive lock (a .lock file beside the manifest,
/// opened share-none: flock on Unix, a share-deny open on Windows), starts on a fresh line if
/// a crashed writer left a torn one, and writes its lines in one write. Readers skip a torn last line (it is not
/// finished) and report lines they cannot read instead of failing.
/// </summary>
public static class Manifest
{
    private static readonly object InProcess = new(); // fcntl locks do not exclude threads of one process

    /// <summary>Appends entries; with <paramref name="fsync"/> they are on disk when this returns.</summary>
    /// <returns>The byte offset after the appended lines.</returns>
    public static long Append(string path, IReadOnlyCollection<ManifestEntry> entries, bool fsync, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return File.Exists(path) ? new FileInfo(path).Length : 0;
        }

        var payload = new MemoryStream();
        foreach (var entry in entries)
        {
            WriteLine(payload, entry);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        lock (InProcess)
        {
            using var held = LockExclusively(path + ".lock", cancellationToken);
            return LineAppender.Append(path, payload.GetBuffer().AsSpan(0, (int)payload.Length), fsync);
        }
    }

    private static readonly TimeSpan LockPatience = TimeSpan.FromMinutes(2);

    private static FileStream LockExclusively(string lockPath, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + LockPatience;
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException e) when (DateTime.UtcNow < deadline)
            {
                _ = e;
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(Random.Shared.Next(1, 5));
            }
        }
    }

    private static void WriteLine(Stream stream, ManifestEntry entry)
    {
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("raw", entry.Raw);
            json.WriteString("bronze", entry.Bronze);
            json.WriteNumber("mtime", Math.Round((entry.Mtime - DateTime.UnixEpoch).TotalSeconds, 6));
            if (entry.Size is { } size)
            {
                json.WriteNumber("size", size);
            }

            json.WriteString("added", (entry.Added ?? DateTime.UtcNow).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }

    /// <summary>A line that could not be read.</summary>
    public readonly record struct BadLine(long Line, long Offset, string Error)
    {
        /// <summary>Byte offset just after the line: where a reader that passes over it picks up.</summary>
        public long End { get; init; }
    }

    /// <summary>
    /// Reads every entry. A last line without its newline is an append in progress or a crash's torn line: it is not
    /// returned. Lines that are not entries go to <paramref name="onBadLine"/> and the rest is read.
    /// </summary>
    public static IEnumerable<ManifestEntry> Read(string path, Action<BadLine>? onBadLine) => Read(path, 0, 0, onBadLine);

    /// <summary>
    /// Reads the entries after byte <paramref name="offset"/> (the <see cref="ManifestEntry.End"/> of an entry read
    /// earlier), numbering lines on from <paramref name="linesBefore"/>: how a reader picks up only what was appended.
    /// </summary>
    public static IEnumerable<ManifestEntry> Read(string path, long offset, long linesBefore, Action<BadLine>? onBadLine)
    {
        var full = Path.GetFullPath(path);
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        stream.Seek(offset, SeekOrigin.Begin);
        var reader = new Conversion.LineReader(stream, 1 << 20);
        while (reader.TryRead(out var line))
        {
            var number = linesBefore + line.Number;
            var end = offset + reader.Position;
            if (line.TooLong)
            {
                onBadLine?.Invoke(new BadLine(number, offset + line.Offset, "line too long") { End = end });
                continue;
            }

            if (line.Bytes.IsEmpty)
            {
                continue;
            }

            ManifestEntry? entry;
            string? error = null;
            try
            {
                entry = Parse(line.Bytes);
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
            {
                entry = null;
                error = e.Message;
            }

            if (entry is null)
            {
                onBadLine?.Invoke(new BadLine(number, offset + line.Offset, error ?? "not a manifest entry (raw, bronze and mtime are required)") { End = end });
                continue;
            }

            yield return entry with { Line = number, End = end, Manifest = full };
        }
    }

    private static readonly double MaxUnixSeconds = (DateTime.MaxValue - DateTime.UnixEpoch).TotalSeconds;

    private static DateTime FromUnixSeconds(double seconds) =>
        double.IsFinite(seconds) && seconds >= -(DateTime.UnixEpoch - DateTime.MinValue).TotalSeconds && seconds < MaxUnixSeconds
            ? DateTime.UnixEpoch.AddTicks((long)(seconds * TimeSpan.TicksPerSecond))
            : throw new FormatException($"mtime {seconds.ToString(CultureInfo.InvariantCulture)} is not a time (Unix seconds from year 1 to 9999)");

    private static ManifestEntry? Parse(ReadOnlySpan<byte> line)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetString(line));
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("raw", out var raw) || raw.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("bronze", out var bronze) || bronze.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("mtime", out var mtime))
        {
            return null;
        }

        var when = mtime.ValueKind == JsonValueKind.Number ? FromUnixSeconds(mtime.GetDouble()) : mtime.GetDateTime().ToUniversalTime();
        foreach (var path in new[] { raw.GetString()!, bronze.GetString()! })
        {
            if (path.Length == 0 || path.Any(char.IsControl))
            {
                throw new FormatException($"path '{Sampling.ArchiveListing.Printable(path)}' is empty or holds a control character");
            }
        }

        long? size = root.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
        DateTime? added = root.TryGetProperty("added", out var a) && a.ValueKind == JsonValueKind.String && a.TryGetDateTime(out var t)
            ? t.ToUniversalTime()
            : null;
        return new ManifestEntry(raw.GetString()!, bronze.GetString()!, DateTime.SpecifyKind(when, DateTimeKind.Utc), size, added);
    }
}
