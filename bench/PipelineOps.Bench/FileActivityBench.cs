using System.Diagnostics;
using System.Globalization;
using PipelineOps.Files;

namespace PipelineOps.Bench;

/// <summary>
/// Test-FileActive's engine against `find DIR -type f -mmin -1` on the same tree of collector-like files.
/// find answers one question (mtime) from directory entries; the engine answers six, including reading the
/// last byte of every line-oriented file and one pass over /proc for open writers.
/// </summary>
internal static class FileActivityBench
{
    public static void Run(BenchOptions options)
    {
        var files = options.Int("files", 100_000);
        var repeat = options.Int("repeat", 5);
        var root = options.String("dir", Path.Combine(Path.GetTempPath(), $"pipelineops-bench-tree-{files}"));
        BuildTree(root, files);

        // Warm the page cache and the dentry cache for both sides alike.
        Measure.Program("find", root, "-type", "f");

        var (findTime, findCount) = Measure.Median(repeat, () =>
            Measure.Program("find", root, "-type", "f", "-mmin", "-1").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var (allRulesTime, active) = Measure.Median(repeat, () => Classify(root, new FileActivityOptions()));
        var (mtimeOnlyTime, _) = Measure.Median(repeat, () =>
            Classify(root, new FileActivityOptions { IncludeLatest = true, CheckWriters = false }));
        var memory = Process.GetCurrentProcess().PeakWorkingSet64;

        var host = Path.Combine(Measure.RepoRoot(), "out", "host", "pipelineops");
        TimeSpan? cmdletTime = null;
        if (File.Exists(host))
        {
            var script = $"$n = 0; Test-FileActive -LiteralPath '{root}' -Recurse | ForEach-Object {{ $n++ }}; $n";
            (cmdletTime, _) = Measure.Median(Math.Min(repeat, 3), () => Measure.Program(host, "-Command", script));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            file-activity: {files:N0} files in {root}
              find -mmin -1                     {Ms(findTime),9} ms   ({findCount:N0} recent)
              engine, all six rules             {Ms(allRulesTime),9} ms   ({active:N0} active)   ratio {allRulesTime / findTime:0.00}x find
              engine, Latest+OpenForWrite off   {Ms(mtimeOnlyTime),9} ms                       ratio {mtimeOnlyTime / findTime:0.00}x find
              peak working set (bench process)  {memory / 1048576.0,9:0} MB
            """));
        if (cmdletTime is { } t)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  pipelineops Test-FileActive -Recurse (process start, engine, PowerShell pipeline) {Ms(t)} ms   ratio {t / findTime:0.00}x find"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median of {repeat} runs each, same tree, page cache warm"));
    }

    private static int Classify(string root, FileActivityOptions options)
    {
        var inspector = new FileActivityInspector(options);
        var active = 0;
        foreach (var listing in DirectoryWalker.EnumerateListings(root, null, recurse: true, (_, e) => throw e))
        {
            active += inspector.InspectListing(listing).Count(o => o.Activity!.IsActive);
        }

        return active;
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>
    /// 100 series folders; each series a daily file per day, oldest first. One file in 200 is recent, one in 50
    /// has a torn tail, one in 100 is a temp_ upload. Built once and reused (a marker file records the count).
    /// </summary>
    private static void BuildTree(string root, int files)
    {
        var marker = Path.Combine(root, ".complete");
        if (File.Exists(marker) && File.ReadAllText(marker) == files.ToString(CultureInfo.InvariantCulture))
        {
            return;
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Console.Error.WriteLine($"building a tree of {files:N0} files in {root} ...");
        var old = DateTime.UtcNow.AddDays(-1);
        var start = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < files; i++)
        {
            var folder = Path.Combine(root, $"exchange{i % 100:D2}");
            if (i < 100)
            {
                Directory.CreateDirectory(folder);
            }

            var day = start.AddDays(i / 100);
            var name = i % 100 == 7 ? $"temp_upload_{i}.csv" : $"level2_{day:yyyyMMdd}.jsonl";
            var path = Path.Combine(folder, name);
            File.WriteAllText(path, i % 50 == 3 ? "{\"type\":\"l2update\"}\n{\"ty" : "{\"type\":\"l2update\"}\n");
            File.SetLastWriteTimeUtc(path, i % 200 == 11 ? DateTime.UtcNow : old);
        }

        File.WriteAllText(marker, files.ToString(CultureInfo.InvariantCulture));
    }
}
