using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using PipelineOps.Conversion;
using PipelineOps.IO;
using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;
using Xunit.Abstractions;

namespace PipelineOps.Tests.Staging;

/// <summary>
/// Issue 14's generated corpus: the whole staging flow (publish to bronze, the manifest, the sampler pass, samples and
/// checks of every file) over links of every kind, FIFOs, bombs and Parquet files damaged at many offsets. A canary
/// file outside the dataset must never be read, nothing outside the destinations may change, every input gets a result.
/// </summary>
public sealed class HostileCorpusTests(ITestOutputHelper output) : IDisposable
{
    private static readonly DateTime Old = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _temp = new();
    private readonly string _canary = "CANARY-" + Guid.NewGuid().ToString("N");

    public void Dispose() => _temp.Dispose();

    private string Outside => Path.Combine(_temp.Path, "outside");

    private string RawRoot => Path.Combine(_temp.Path, "raw");

    private string SamplesOut => Path.Combine(_temp.Path, "samples-out");

    [Fact]
    public async Task Nothing_outside_is_read_or_written_and_every_file_has_a_result_in_bounded_time_and_memory()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // FIFOs, hard links and /proc are the point here
        }

        var making = Stopwatch.StartNew();
        var layout = DatasetLayout.For(Path.Combine(_temp.Path, "data"), "sp", "gics", "1.0");
        var inputs = MakeRawCorpus();
        var bronzeEntries = MakeHostileBronze(layout);
        var before = Snapshot(_temp.Path, skip: [Path.Combine(_temp.Path, "data"), SamplesOut]);
        var options = new SampleOptions { Rows = 3, MaxReadBytes = 4 << 20, FollowLinks = false };
        output.WriteLine($"corpus made in {making.Elapsed.TotalSeconds:F1} s");
        var startRss = Memory.ResetPeak();
        var clock = Stopwatch.StartNew();
        var warnings = new List<string>();

        var run = Task.Run(() =>
        {
            var publisher = new BronzePublisher(layout, RawRoot, new BronzeOptions { Verify = true });
            var published = inputs.Select(f => publisher.Publish(new FileInfo(f))).ToList();
            Manifest.Append(layout.ManifestFile, bronzeEntries, fsync: false);
            var passed = new StagingSampler(layout, options) { Warn = warnings.Add }.Run().ToList();
            // As a folder walk samples them, held to the raw folder (a hard link is a second name of a file outside).
            var sampled = inputs.Select(f => DataSampler.Sample(f, SamplesOut, options with { Within = RealPath.Canonical(RawRoot) })).ToList();
            var bronzeFiles = Entries(layout.Bronze).ToList();
            var checkedFiles = inputs.Concat(bronzeFiles)
                .Select(f => ParquetFileCheck.Inspect(f, deep: true, "time", followLinks: false, CancellationToken.None)).ToList();
            return (published, passed, sampled, checkedFiles, bronzeFiles);
        });

        // A hang guard, not a speed test: every open in this flow must return at once.
        Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromMinutes(3))) == run, "the staging flow over the hostile corpus did not finish");
        var (published, passed, sampled, checkedFiles, bronzeFiles) = await run;
        var elapsed = clock.Elapsed;
        var peakGrowth = Memory.Peak() - startRss;
        output.WriteLine($"{inputs.Count} raw inputs, {bronzeFiles.Count} bronze files, {passed.Count} manifest entries sampled: " +
                         $"{elapsed.TotalSeconds:F1} s, peak RSS growth {peakGrowth / (1 << 20)} MB");

        // Every input has a result.
        Assert.Equal(inputs.Count, published.Count);
        Assert.Equal(inputs.Count, sampled.Count);
        Assert.Equal(inputs.Count + bronzeFiles.Count, checkedFiles.Count);
        var manifestLines = File.ReadLines(layout.ManifestFile).Count();
        Assert.Equal(manifestLines, passed.Count + warnings.Count(w => w.Contains("passed over", StringComparison.Ordinal)));

        // Links out of the raw root or the dataset, hard links, FIFOs, loops and dangling links are refused by name.
        foreach (var (file, result) in inputs.Zip(published))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith("ok", StringComparison.Ordinal) || name.StartsWith("in-link", StringComparison.Ordinal))
            {
                Assert.True(result.Status == PublishStatus.Copied, $"{name}: {result.Status} {result.Reason}");
            }
            else if (!name.StartsWith("damaged", StringComparison.Ordinal) && !name.StartsWith("bomb", StringComparison.Ordinal))
            {
                Assert.True(result.Status == PublishStatus.Failed, $"{name}: {result.Status} {result.Reason}");
                Assert.False(string.IsNullOrEmpty(result.Reason));
            }
        }

        foreach (var (file, result) in inputs.Zip(sampled).Where(p => IsLinkOrSpecial(p.First)))
        {
            Assert.True(result.Status == SampleStatus.Failed, $"{Path.GetFileName(file)}: {result.Status} {result.Reason}");
        }

        Assert.All(passed.Where(p => p.Source.Contains("evil", StringComparison.Ordinal)),
            p => Assert.True(p.Status == SampleStatus.Failed, $"{p.Source}: {p.Status} {p.Reason}"));
        Assert.All(checkedFiles.Where(c => c.Path.Contains("damaged", StringComparison.Ordinal)), c => Assert.NotNull(c.Status.ToString()));

        // Nothing read from outside: the canary is in no output and no result.
        var planted = Path.Combine(layout.Bronze, "evil") + "/";
        var written = Entries(Path.Combine(_temp.Path, "data")).Concat(Entries(SamplesOut))
            .Where(f => IsRegular(f) && !f.StartsWith(planted, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(written);
        Assert.All(written, f => Assert.False(HoldsCanary(f), $"{f} holds the canary from outside the dataset"));
        var texts = published.Select(r => r.Reason).Concat(passed.Select(r => r.Reason)).Concat(sampled.Select(r => r.Reason))
            .Concat(checkedFiles.Select(c => c.Problem)).Concat(warnings);
        Assert.DoesNotContain(texts, t => t?.Contains(_canary, StringComparison.Ordinal) == true);

        // Nothing written outside the destinations.
        Assert.Equal(before, Snapshot(_temp.Path, skip: [Path.Combine(_temp.Path, "data"), SamplesOut]));
        Assert.All(written, f => Assert.True(
            f.StartsWith(layout.Folder + "/", StringComparison.Ordinal) || f.StartsWith(SamplesOut + "/", StringComparison.Ordinal), f));

        // Bounded memory: the bombs declare gigabytes; far less than that may be touched.
        Assert.True(peakGrowth < 1L << 30, $"peak RSS grew by {peakGrowth / (1 << 20)} MB");
    }

    /// <summary>Every file under the raw root the way Copy-ToBronze -Recurse meets them, links included.</summary>
    private List<string> MakeRawCorpus()
    {
        Directory.CreateDirectory(Outside);
        var canaryCsv = _temp.File("outside/canary.csv", $"id,secret\n1,{_canary}\n", Old);
        var canaryParquet = Path.Combine(Outside, "canary.parquet");
        DuckDb.Query($"COPY (SELECT 1 AS id, '{_canary}' AS secret) TO '{canaryParquet}' (FORMAT parquet, COMPRESSION uncompressed)");
        var padded = Path.Combine(Outside, "padded.csv");
        var paddedText = $"id,secret\n1,{_canary}\n";
        File.WriteAllText(padded, paddedText + new string('#', padded.Length + 64 - paddedText.Length));
        _temp.File("outside/dir/inner.csv", $"id,secret\n1,{_canary}\n", Old);

        Directory.CreateDirectory(RawRoot);
        var okCsv = _temp.File("raw/ok.csv", "id,v\n1,a\n2,b\n3,c\n4,d\n", Old);
        _temp.File("raw/ok.jsonl", "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4}\n", Old);
        var okParquet = Path.Combine(RawRoot, "ok.parquet");
        DuckDb.Query($"COPY (SELECT range AS id, 'v' || range AS v, range * 0.5 AS d FROM range(200)) TO '{okParquet}' (FORMAT parquet, ROW_GROUP_SIZE 50)");
        File.WriteAllBytes(Path.Combine(RawRoot, "ok.jsonl.gz"), Gzip(Encoding.UTF8.GetBytes("{\"id\":1}\n{\"id\":2}\n")));

        File.CreateSymbolicLink(Path.Combine(RawRoot, "in-link.csv"), okCsv);
        File.CreateSymbolicLink(Path.Combine(RawRoot, "out-link.csv"), canaryCsv);
        File.CreateSymbolicLink(Path.Combine(RawRoot, "out-link-relative.csv"), "../outside/canary.csv");
        File.CreateSymbolicLink(Path.Combine(RawRoot, "out-link.parquet"), canaryParquet);
        Hostile.PaddedLink(padded, Path.Combine(RawRoot, "padded-link.csv"));
        File.CreateSymbolicLink(Path.Combine(RawRoot, "dangling-link.csv"), Path.Combine(Outside, "nothing.csv"));
        File.CreateSymbolicLink(Path.Combine(RawRoot, "loop-a.csv"), Path.Combine(RawRoot, "loop-b.csv"));
        File.CreateSymbolicLink(Path.Combine(RawRoot, "loop-b.csv"), Path.Combine(RawRoot, "loop-a.csv"));
        Directory.CreateSymbolicLink(Path.Combine(RawRoot, "dir-link"), Path.Combine(Outside, "dir"));
        File.CreateSymbolicLink(Path.Combine(RawRoot, "dev-link.jsonl"), "/dev/zero");
        Hostile.HardLink(canaryCsv, Path.Combine(RawRoot, "hard-link.csv"));
        Hostile.Fifo(Path.Combine(RawRoot, "fifo.csv"));
        Hostile.Fifo(Path.Combine(RawRoot, "fifo.parquet"));

        MakeBombs();
        MakeDamagedParquet(okParquet);

        foreach (var file in Directory.EnumerateFiles(RawRoot).Where(IsRegular))
        {
            File.SetLastWriteTimeUtc(file, Old);
        }

        // The link to a folder outside is not descended by a listing; a path through it is still an input.
        return [.. Directory.EnumerateFileSystemEntries(RawRoot).Where(e => !Directory.Exists(e) || IsLink(e)).Where(e => !IsLink(e) || !Directory.Exists(e))
            .Order(StringComparer.Ordinal), Path.Combine(RawRoot, "dir-link", "inner.csv")];
    }

    private void MakeBombs()
    {
        // A zip whose one member inflates to 64 MB of zeros (a ratio of about 1,000).
        using (var zip = ZipFile.Open(Path.Combine(RawRoot, "bomb.zip"), ZipArchiveMode.Create))
        using (var member = zip.CreateEntry("zeros.csv", CompressionLevel.Fastest).Open())
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                member.Write(zeros);
            }
        }

        // A tar.gz whose header declares 10 GiB: 8 MB of it is there, past the 4 MB read cap.
        using (var file = File.Create(Path.Combine(RawRoot, "bomb.tar.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(TarHeader("zeros.bin", 10L << 30));
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 8; i++)
            {
                gzip.Write(zeros);
            }
        }

        // One 8 MB line without a newline, compressed: past the read cap.
        using (var file = File.Create(Path.Combine(RawRoot, "bomb.jsonl.gz")))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write("{\"a\":\""u8);
            var filler = Enumerable.Repeat((byte)'a', 1 << 20).ToArray();
            for (var i = 0; i < 8; i++)
            {
                gzip.Write(filler);
            }
        }
    }

    /// <summary>The good Parquet file with one byte flipped at offsets spread over the whole file (footer included),
    /// and cut short at a few lengths.</summary>
    private void MakeDamagedParquet(string good)
    {
        var bytes = File.ReadAllBytes(good);
        var offsets = Enumerable.Range(0, 24).Select(i => (long)i * (bytes.Length - 1) / 23)
            .Concat(Enumerable.Range(1, 12).Select(i => (long)bytes.Length - i)).Distinct();
        foreach (var offset in offsets)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[offset] ^= 0xA5;
            File.WriteAllBytes(Path.Combine(RawRoot, $"damaged-flip-{offset}.parquet"), damaged);
        }

        foreach (var length in new[] { 4, 12, bytes.Length / 3, bytes.Length / 2, bytes.Length - 9, bytes.Length - 1 })
        {
            File.WriteAllBytes(Path.Combine(RawRoot, $"damaged-cut-{length}.parquet"), bytes[..length]);
        }
    }

    /// <summary>Files planted in bronze and manifest lines pointing at them, or out of the dataset.</summary>
    private List<ManifestEntry> MakeHostileBronze(DatasetLayout layout)
    {
        var evil = Path.Combine(layout.Bronze, "evil");
        Directory.CreateDirectory(evil);
        var canaryCsv = Path.Combine(Outside, "canary.csv");
        Hostile.HardLink(Path.Combine(Outside, "canary.parquet"), Path.Combine(evil, "hard.parquet"));
        File.CreateSymbolicLink(Path.Combine(evil, "out.csv"), canaryCsv);
        File.CreateSymbolicLink(Path.Combine(evil, "loop.csv"), Path.Combine(evil, "loop.csv"));
        Directory.CreateSymbolicLink(Path.Combine(evil, "dir"), Path.Combine(Outside, "dir"));
        Hostile.Fifo(Path.Combine(evil, "fifo.parquet"));
        string[] bronze =
        [
            "bronze/evil/hard.parquet", "bronze/evil/out.csv", "bronze/evil/loop.csv", "bronze/evil/dir/inner.csv",
            "bronze/evil/fifo.parquet", "bronze/evil/missing.csv", "bronze/../../../../outside/canary.csv", canaryCsv,
        ];
        return bronze.Select(b => new ManifestEntry("raw/evil", b, Old, null, null)).ToList();
    }

    private static byte[] TarHeader(string name, long size)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(name).CopyTo(header, 0);
        Encoding.ASCII.GetBytes("0000644\0").CopyTo(header, 100);
        Encoding.ASCII.GetBytes(Convert.ToString(size, 8).PadLeft(11, '0') + "\0").CopyTo(header, 124);
        header[156] = (byte)'0';
        Encoding.ASCII.GetBytes("ustar\0" + "00").CopyTo(header, 257);
        Encoding.ASCII.GetBytes("        ").CopyTo(header, 148);
        var sum = header.Sum(b => (long)b);
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        return header;
    }

    private static byte[] Gzip(byte[] content)
    {
        var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    private bool HoldsCanary(string file)
    {
        var token = Encoding.UTF8.GetBytes(_canary);
        if (File.ReadAllBytes(file).AsSpan().IndexOf(token) >= 0)
        {
            return true;
        }

        // Samples may be compressed: read through their format (bronze holds byte copies, searched above).
        if (file.Contains("/bronze/", StringComparison.Ordinal))
        {
            return false;
        }

        if (file.EndsWith(".parquet", StringComparison.Ordinal))
        {
            try
            {
                return DuckDb.Query($"SELECT * FROM read_parquet('{file}')").Any(r => r.Any(v => v?.ToString()?.Contains(_canary) == true));
            }
            catch (Exception e) when (e.GetType().Name.Contains("DuckDB", StringComparison.Ordinal))
            {
                return false; // not readable as Parquet: its raw bytes were searched above
            }
        }

        if (file.EndsWith(".zip", StringComparison.Ordinal))
        {
            using var zip = ZipFile.OpenRead(file);
            return zip.Entries.Any(e => new StreamReader(e.Open()).ReadToEnd().Contains(_canary, StringComparison.Ordinal));
        }

        if (file.EndsWith(".gz", StringComparison.Ordinal))
        {
            try
            {
                using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
                return new StreamReader(gzip).ReadToEnd().Contains(_canary, StringComparison.Ordinal);
            }
            catch (InvalidDataException)
            {
                return false;
            }
        }

        return false;
    }

    private static bool IsLink(string path) => new FileInfo(path).LinkTarget is not null;

    private static bool IsRegular(string path) => !IsLink(path) && File.Exists(path) && !IsFifo(path);

    /// <summary>The corpus names its FIFOs fifo*: .NET cannot tell a FIFO from a file without opening it.</summary>
    private static bool IsFifo(string path) => Path.GetFileName(path).StartsWith("fifo", StringComparison.Ordinal);

    private bool IsLinkOrSpecial(string path) => IsLink(path) || IsFifo(path) || path.Contains("dir-link", StringComparison.Ordinal)
        || Path.GetFileName(path).StartsWith("hard-link", StringComparison.Ordinal);

    /// <summary>Every entry below a folder, links listed but never descended into.</summary>
    private static IEnumerable<string> Entries(string folder)
    {
        if (!Directory.Exists(folder))
        {
            yield break;
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal))
        {
            if (Directory.Exists(entry) && !IsLink(entry))
            {
                foreach (var inner in Entries(entry))
                {
                    yield return inner;
                }
            }
            else
            {
                yield return entry;
            }
        }
    }

    /// <summary>Each entry's path, kind, link text, size, mtime and (for regular files) content hash.</summary>
    private static List<string> Snapshot(string root, string[] skip) =>
        Entries(root).Where(e => !skip.Any(s => e.StartsWith(s + "/", StringComparison.Ordinal)))
            .Select(e =>
            {
                var info = new FileInfo(e);
                if (info.LinkTarget is { } target)
                {
                    return $"{e} -> {target}";
                }

                if (IsFifo(e) || Directory.Exists(e))
                {
                    return $"{e} special";
                }

                using var stream = File.OpenRead(e);
                return $"{e} {info.Length} {info.LastWriteTimeUtc:O} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream))}";
            })
            .ToList();
}
