using System.Diagnostics;
using System.Globalization;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;

namespace PipelineOps.Bench;

/// <summary>
/// The collector's sustained write rate from its demo source (Flush and Fsync durability), against a plain baseline
/// that appends the same lines with a FileStream in a loop and flushes (or fsyncs) every FlushCount lines; then its
/// memory while the source outruns an fsyncing writer (the bounded queue drops and counts instead of growing).
/// </summary>
internal static class CollectBench
{
    public static void Run(BenchOptions options)
    {
        var seconds = options.Int("seconds", 5);
        var flushCount = options.Int("flush-count", 100);
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-collect"));
        Console.WriteLine($"collect: {seconds} s per run, flush every {flushCount} records, in {work}");
        Console.WriteLine("  durability   collector (demo source) rec/s   baseline (FileStream loop) rec/s   ratio");
        foreach (var durability in new[] { Durability.Flush, Durability.Fsync })
        {
            var dir = Fresh(work, durability.ToString());
            var (rate, lines) = Collect(dir, durability, flushCount, seconds, Backpressure.Block, queueSize: 10_000);
            var baseline = Baseline(Fresh(work, durability + "-baseline"), lines, durability, flushCount, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {durability,-10} {rate,30:N0} {baseline,34:N0}   {rate / baseline:0.00}x"));
        }

        // Overload: the demo source as fast as it can go into an fsyncing writer that flushes every 10 records.
        var overload = Fresh(work, "overload");
        var peak = 0L;
        using var sampler = new Timer(_ => peak = Math.Max(peak, GC.GetTotalMemory(false)), null, 0, 20);
        var collector = new Collector(new CollectorOptions
        {
            Directory = overload, Durability = Durability.Fsync, FlushCount = 10, Backpressure = Backpressure.Drop, QueueSize = 10_000,
        }, new DemoSource(2_000_000, seed: 1));
        collector.Start();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        collector.StopAsync().GetAwaiter().GetResult();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
              overload (source outruns an fsync-every-10 writer, queue 10,000, Drop): {collector.Stats.Flushed:N0} written, {collector.Stats.Dropped:N0} dropped
              managed heap peak during the run {peak / 1048576.0:0} MB; process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MB
            """));
    }

    private static (double Rate, List<byte[]> Lines) Collect(string dir, Durability durability, int flushCount, int seconds, Backpressure backpressure, int queueSize)
    {
        var collector = new Collector(new CollectorOptions
        {
            Directory = dir, Durability = durability, FlushCount = flushCount, Backpressure = backpressure, QueueSize = queueSize, Stream = "demo",
        }, new DemoSource(5_000_000, seed: 1));
        var watch = Stopwatch.StartNew();
        collector.Start();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var flushed = collector.Stats.Flushed;
        var elapsed = watch.Elapsed;
        collector.StopAsync().GetAwaiter().GetResult();
        var lines = File.ReadLines(Directory.GetFiles(dir, "*.jsonl").Single()).Take(200_000).Select(l => System.Text.Encoding.UTF8.GetBytes(l + "\n")).ToList();
        return (flushed / elapsed.TotalSeconds, lines);
    }

    private static double Baseline(string dir, List<byte[]> lines, Durability durability, int flushCount, int seconds)
    {
        using var file = new FileStream(Path.Combine(dir, "baseline.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        var watch = Stopwatch.StartNew();
        long written = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            file.Write(lines[(int)(written % lines.Count)]);
            if (++written % flushCount == 0)
            {
                file.Flush(flushToDisk: durability == Durability.Fsync);
            }
        }

        return written / watch.Elapsed.TotalSeconds;
    }

    private static string Fresh(string work, string name)
    {
        var dir = Path.Combine(work, name);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        return dir;
    }
}
