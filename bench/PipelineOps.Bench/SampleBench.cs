using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;

namespace PipelineOps.Bench;

/// <summary>
/// The staging sampler. (1) A pass over a manifest of a million entries, where nothing changed and where 1% changed,
/// against the staging design's approach: re-read the whole manifest every pass and look each entry up in an mtime
/// cache. Both sides sample the changed files with the same sampler, so the difference is the manifest work.
/// (2) Sampling time for a small and a huge source of each streaming format: it should not grow with size.
/// </summary>
internal static class SampleBench
{
    public static void Run(BenchOptions options)
    {
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-sample"));
        Directory.CreateDirectory(work);
        ManifestPass(work, options.Int("entries", 1_000_000), options.Int("repeat", 3));
        SizeScaling(work, options.Int("small-mb", 5), options.Int("large-gb", 5), options.Int("repeat", 3));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set (bench process): {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB"));
    }

    private static void ManifestPass(string work, int entries, int repeat)
    {
        var changed = Math.Max(entries / 100, 1);
        var layout = new DatasetLayout(Path.Combine(work, "dataset"));
        if (Directory.Exists(layout.Folder))
        {
            Directory.Delete(layout.Folder, recursive: true);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(layout.ManifestFile)!);
        var cache = Path.Combine(work, "mtime-cache.json");
        WriteHistory(layout, entries, cache);

        // A pass that already read all of it: the state points at the end.
        var manifestBytes = new FileInfo(layout.ManifestFile).Length;
        SamplerState.At(layout.ManifestFile, manifestBytes, entries).Save(layout.SamplerStateFile);
        var options = new SampleOptions { Rows = 10 };

        var (oursNone, _) = Measure.Median(repeat, () => new StagingSampler(layout, options).Run().Count());
        var (theirsNone, _) = Measure.Median(repeat, () => RereadWholeManifest(layout, cache, options));

        // 1% changed: those files are published again (new mtime) and appended to the manifest.
        var appendedAt = new FileInfo(layout.ManifestFile).Length;
        var changedEntries = new List<ManifestEntry>(changed);
        for (var i = 0; i < changed; i++)
        {
            var bronze = $"bronze/changed/{i % 100}/{i}.jsonl";
            var path = Path.Combine(layout.Folder, bronze);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, string.Concat(Enumerable.Range(0, 50).Select(n => $"{{\"type\":\"ticker\",\"seq\":{n},\"price\":\"{100 + n}.25\"}}\n")));
            changedEntries.Add(new ManifestEntry($"raw/file-{i}.jsonl", bronze, File.GetLastWriteTimeUtc(path), null, null));
        }

        Manifest.Append(layout.ManifestFile, changedEntries, fsync: false);

        // Each side starts from the same point every repetition: ours from the old end, theirs from the old cache.
        // and the changed files have no samples yet.
        void Reset()
        {
            SamplerState.At(layout.ManifestFile, appendedAt, entries).Save(layout.SamplerStateFile);
            if (Directory.Exists(layout.Samples))
            {
                Directory.Delete(layout.Samples, recursive: true);
            }
        }

        var (oursSome, sampled) = Measure.Median(repeat, Reset, () => new StagingSampler(layout, options).Run().Count(r => r.Status == SampleStatus.Sampled));
        var (theirsSome, theirSampled) = Measure.Median(repeat, Reset, () => RereadWholeManifest(layout, cache, options));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            sampler pass over a manifest of {entries:N0} entries ({manifestBytes / 1048576.0:0} MB), median of {repeat}
              nothing changed   offset state {Ms(oursNone),9} ms   re-read whole manifest {Ms(theirsNone),9} ms   ratio {theirsNone / Max(oursNone):0}x faster
              1% changed        offset state {Ms(oursSome),9} ms   re-read whole manifest {Ms(theirsSome),9} ms   ratio {theirsSome / Max(oursSome):0.0}x faster   ({sampled:N0} / {theirSampled:N0} sources handled)
            """));
    }

    /// <summary>A million published files: their entries, and the design's mtime cache after a pass over them.</summary>
    private static void WriteHistory(DatasetLayout layout, int entries, string cache)
    {
        var batch = new List<ManifestEntry>(10_000);
        var mtimes = new Dictionary<string, double>(entries);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < entries; i++)
        {
            var mtime = start.AddSeconds(i);
            var raw = $"raw/env{i % 4}/file-{i}.csv";
            batch.Add(new ManifestEntry(raw, BronzePath.Map($"env{i % 4}/file-{i}.csv", mtime, null), mtime, 1000 + i, mtime));
            mtimes[raw] = (mtime - DateTime.UnixEpoch).TotalSeconds;
            if (batch.Count == batch.Capacity)
            {
                Manifest.Append(layout.ManifestFile, batch, fsync: false);
                batch.Clear();
            }
        }

        Manifest.Append(layout.ManifestFile, batch, fsync: false);
        File.WriteAllBytes(cache, JsonSerializer.SerializeToUtf8Bytes(mtimes));
    }

    /// <summary>The design's staging service: load the mtime cache, read every manifest line, sample what is not cached
    /// with the same mtime. It samples as the pass does (no flush per sample, one file-system flush at the end). The
    /// cache is not saved, so every repetition does the same work.</summary>
    private static int RereadWholeManifest(DatasetLayout layout, string cache, SampleOptions options)
    {
        var cached = JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllBytes(cache))!;
        var sampler = new StagingSampler(layout, options);
        var sampled = 0;
        foreach (var line in File.ReadLines(layout.ManifestFile))
        {
            using var entry = JsonDocument.Parse(line);
            var raw = entry.RootElement.GetProperty("raw").GetString()!;
            var mtime = entry.RootElement.GetProperty("mtime").GetDouble();
            if (cached.TryGetValue(raw, out var seen) && seen == mtime)
            {
                continue;
            }

            var bronze = entry.RootElement.GetProperty("bronze").GetString()!;
            var source = Path.Combine(layout.Folder, bronze);
            DataSampler.Sample(source, sampler.SampleFolderFor(source), options with { FlushEach = false });
            sampled++;
        }

        PipelineOps.IO.Durable.FlushFileSystem(layout.Folder);
        return sampled;
    }

    private static void SizeScaling(string work, int smallMb, int largeGb, int repeat)
    {
        Console.WriteLine($"sampling time by source size (100 rows, Force, page cache warm), median of {repeat}");
        Console.WriteLine("  format      small         large        small ms   large ms   ratio   bytes read (large)");
        foreach (var (format, make) in Formats())
        {
            var small = Path.Combine(work, $"small.{format}");
            var large = Path.Combine(work, $"large.{format}");
            make(small, (long)smallMb << 20);
            make(large, (long)largeGb << 30);
            var samples = Path.Combine(work, "samples-" + format);
            var options = new SampleOptions { Rows = 100, Force = true };
            var (smallTime, _) = Measure.Median(repeat, () => DataSampler.Sample(small, samples, options));
            var before = BytesRead();
            var (largeTime, result) = Measure.Median(repeat, () => DataSampler.Sample(large, samples, options));
            var read = (BytesRead() - before) / repeat;
            if (result.Status != SampleStatus.Sampled)
            {
                throw new InvalidOperationException($"{large}: {result.Status} {result.Reason}");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {format,-10} {Size(small),10} {Size(large),12} {Ms(smallTime),11} {Ms(largeTime),10} {largeTime / Max(smallTime),6:0.0}x   {read / 1048576.0:0.0} MB"));
        }
    }

    private static IEnumerable<(string Format, Action<string, long> Make)> Formats() =>
    [
        ("csv", (path, size) => Repeat(path, size, Encoding.UTF8.GetBytes("ts,product,side,price,size\n"), i => $"2026-01-18T14:30:{i % 60:00}Z,BTC-USD,{(i % 2 == 0 ? "buy" : "sell")},\"{42000 + i % 1000}.5\",0.{i % 997:000}\n")),
        ("jsonl", (path, size) => Repeat(path, size, [], i => $"{{\"type\":\"l2update\",\"product_id\":\"BTC-USD\",\"changes\":[[\"buy\",\"{42000 + i % 1000}.5\",\"0.{i % 997:000}\"]],\"time\":\"2026-01-18T14:30:{i % 60:00}Z\"}}\n")),
        ("jsonl.gz", (path, size) => RepeatGzip(path, size)),
        ("parquet", (path, size) => Parquet(path, size)),
    ];

    /// <summary>A file of real lines, built by writing one generated block again and again.</summary>
    private static void Repeat(string path, long size, byte[] header, Func<int, string> line)
    {
        if (File.Exists(path) && new FileInfo(path).Length >= size)
        {
            return;
        }

        var block = new StringBuilder();
        for (var i = 0; block.Length < 4 << 20; i++)
        {
            block.Append(line(i));
        }

        var bytes = Encoding.UTF8.GetBytes(block.ToString());
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(header);
        while (stream.Length < size)
        {
            stream.Write(bytes, 0, (int)Math.Min(bytes.Length, size - stream.Length));
        }
    }

    /// <summary>A multi-member gzip file (as concatenated logs are): one compressed member written until the size is reached.</summary>
    private static void RepeatGzip(string path, long size)
    {
        if (File.Exists(path) && new FileInfo(path).Length >= size)
        {
            return;
        }

        var plain = path + ".member";
        Repeat(plain, Math.Min(size, 32L << 20), [], i => $"{{\"type\":\"ticker\",\"sequence\":{i},\"price\":\"{42000 + i % 1000}.{i % 97:00}\",\"trade_id\":{i * 7919 % 1000003}}}\n");
        var member = new MemoryStream();
        using (var gz = new GZipStream(member, CompressionLevel.Fastest, leaveOpen: true))
        using (var input = File.OpenRead(plain))
        {
            input.CopyTo(gz);
        }

        File.Delete(plain);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        do
        {
            stream.Write(member.GetBuffer(), 0, (int)member.Length);
        }
        while (stream.Length < size);
    }

    private static void Parquet(string path, long size)
    {
        if (File.Exists(path) && new FileInfo(path).Length >= size * 9 / 10)
        {
            return;
        }

        // About 40 bytes a row once written (the hex strings barely compress), in DuckDB's default row groups of
        // 122,880 rows for both sizes: a sample reads the first row group's columns whole, so its cost follows the
        // row-group size, not the file size.
        var rows = size / 40;
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            COPY (SELECT i AS sequence, 'BTC-USD' AS product_id, md5(i::VARCHAR) AS trade_key, (i % 100000) / 100.0 AS price,
                         [i % 7, i % 11] AS sides
                  FROM range({rows}) t(i))
            TO '{path}' (FORMAT parquet)
            """;
        command.ExecuteNonQuery();
    }

    private static long BytesRead() =>
        long.Parse(File.ReadAllLines("/proc/self/io").First(l => l.StartsWith("rchar:", StringComparison.Ordinal))[6..].Trim(), CultureInfo.InvariantCulture);

    private static string Size(string path)
    {
        var bytes = new FileInfo(path).Length;
        return bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):0.0} GB" : $"{bytes / 1048576.0:0.0} MB";
    }

    private static TimeSpan Max(TimeSpan t) => t < TimeSpan.FromMilliseconds(0.01) ? TimeSpan.FromMilliseconds(0.01) : t;

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
}
