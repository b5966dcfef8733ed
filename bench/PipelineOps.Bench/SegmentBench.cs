using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;
using PipelineOps.Conversion;
using PipelineOps.Segments;

namespace PipelineOps.Bench;

/// <summary>
/// Start-Collector -Format Parquet against -Format JsonLines and a plain FileStream loop, in one run, on the same
/// pre-made market-data lines posted through the pipeline path: records/s and CPU per record (closing the segments
/// into ready/ included); peak managed memory with 1,000 partitions; the size of ready/ against Convert-JsonlToParquet
/// of the same lines, and DuckDB's scan time of both.
/// </summary>
internal static class SegmentBench
{
    public static void Run(BenchOptions options)
    {
        var records = options.Int("records", 300_000);
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-segments"));
        var repeat = options.Int("repeat", 1);
        var side = options.String("side", "");
        var warmUp = options.Int("warmup", 1) > 0;
        var lines = Lines(records, products: 10);
        List<byte[]>? mixed = null; // made when its side runs, and dropped before the memory figures
        Console.WriteLine($"segments: {records:N0} records of {lines.Sum(l => l.Length) / records} bytes, flush every 100, in {work}, median of {repeat}{(warmUp ? " after 2 s of warm-up runs" : "")}");
        Console.WriteLine("  side                                              rec/s     CPU us/record   ratio to loop (CPU)");
        var sides = new (string Name, Func<(double Rate, double CpuMicros)> Run)[]
        {
            ("FileStream loop (yardstick)", () => Loop(Fresh(work, "loop"), lines)),
            ("collector -Format JsonLines, pre-made lines", () => Collect(Fresh(work, "jsonl"), lines, null)),
            ("collector -Format JsonLines, 3 streams by type", () => Collect(Fresh(work, "jsonl-mixed"),
                mixed ??= Lines(records, products: 10, types: ["ticker", "l2update", "snapshot"]), null, byType: true)),
            ("collector -Format Parquet, pre-made lines", () => Collect(Fresh(work, "parquet"), lines, new SegmentOptions { PartitionBy = ["product_id"] })),
            ("demo source alone (making the records)", () => DemoAlone(records)),
            ("collector -Format JsonLines, -Demo", () => CollectDemo(Fresh(work, "demo-jsonl"), records, null)),
            ("collector -Format Parquet, -Demo", () => CollectDemo(Fresh(work, "demo-parquet"), records, new SegmentOptions { PartitionBy = ["product_id"] })),
        };
        double? loopCpu = null;
        foreach (var (name, run) in sides)
        {
            if (side.Length > 0 && !name.Contains(side, StringComparison.OrdinalIgnoreCase) && !name.StartsWith("FileStream", StringComparison.Ordinal))
            {
                continue;
            }

            // Untimed runs for two seconds first: the JIT recompiles the side's code in tiers in the background, which
            // took a quarter of the CPU of the first second's runs (a collector runs for days).
            for (var warm = Stopwatch.StartNew(); warmUp && warm.Elapsed < TimeSpan.FromSeconds(2);)
            {
                run();
            }

            var runs = Enumerable.Range(0, repeat).Select(_ => run()).ToList();
            var rate = Measure.Median(runs.Select(r => r.Rate));
            var cpu = Measure.Median(runs.Select(r => r.CpuMicros));
            loopCpu ??= cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-48}{rate,10:N0}   {cpu,12:0.000}   {cpu / loopCpu.Value,8:0.00}x"));
        }

        mixed = null;
        if (options.String("only", "") == "rates")
        {
            return;
        }

        // Memory with 1,000 partitions.
        var wide = Lines(records, products: 1000);
        var peak = 0L;
        using (new Timer(_ => peak = Math.Max(peak, GC.GetTotalMemory(false)), null, 0, 10))
        {
            Collect(Fresh(work, "wide"), wide, new SegmentOptions { PartitionBy = ["product_id"] });
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  1,000 partitions: managed heap peak {peak / 1048576.0:0} MB (MaxBufferSize 16 MB, 256 open files)"));

        // ready/ against Convert-JsonlToParquet of the same day, and DuckDB scans of both (both modes' sides needed).
        if (!Directory.Exists(Path.Combine(work, "jsonl")) || !Directory.Exists(Path.Combine(work, "parquet")))
        {
            return;
        }

        var ready = SegmentLayout.Ready(Path.Combine(work, "parquet"));
        var converted = Fresh(work, "converted");
        using (var run = ConversionRun.Open(new ConversionOptions { Destination = converted, PartitionBy = ["product_id"] }))
        {
            run.Convert(Directory.GetFiles(Path.Combine(work, "jsonl"), "*.jsonl").Single());
        }

        Scan(converted); // DuckDB's first query loads its extensions: not part of either figure
        foreach (var (name, root) in new[] { ("ready/ segments", ready), ("Convert-JsonlToParquet", converted) })
        {
            var files = Directory.GetFiles(root, "*.parquet", SearchOption.AllDirectories);
            var watch = Stopwatch.StartNew();
            var sum = Scan(root);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-24} {files.Length,4} files {files.Sum(f => new FileInfo(f).Length) / 1048576.0,8:0.0} MB   DuckDB scan {watch.Elapsed.TotalMilliseconds,6:0} ms (sum {sum})"));
        }
    }

    internal static List<byte[]> Lines(int count, int products, string[]? types = null)
    {
        var start = new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc);
        return Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $"{{\"type\":\"{(types is null ? "ticker" : types[i % types.Length])}\",\"sequence\":{i},\"product_id\":\"P{i % products}\",\"price\":\"{30000 + i % 977}.{i % 100:D2}\",\"best_bid\":{30000 + i % 977}.5,\"side\":\"{(i % 2 == 0 ? "buy" : "sell")}\",\"last_size\":{i % 13}.001,\"time\":\"{start.AddMilliseconds(i):yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'}\"}}"))).ToList();
    }

    /// <param name="byType">Streams by the records' type field (they alternate), instead of one fixed stream.</param>
    internal static (double Rate, double CpuMicros) Collect(string dir, List<byte[]> lines, SegmentOptions? segments, bool byType = false)
    {
        var collector = new Collector(new CollectorOptions
        {
            Directory = dir, Stream = byType ? null : "ticker", FlushCount = 100, Backpressure = Backpressure.Block, Segments = segments,
        }, null);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        collector.Start();
        foreach (var line in lines)
        {
            collector.PostAsync(line, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        collector.StopAsync().GetAwaiter().GetResult();
        var elapsed = watch.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        if (collector.Stats.Flushed != lines.Count)
        {
            throw new InvalidOperationException($"{collector.Stats.Flushed} flushed of {lines.Count}");
        }

        return (lines.Count / elapsed.TotalSeconds, used.TotalMicroseconds / lines.Count);
    }

    /// <summary>The collector on its -Demo source as fast as it goes (Block, so nothing is dropped), until it has
    /// received <paramref name="records"/>; the demo's streams (by type) as Start-Collector -Demo makes them.</summary>
    private static (double Rate, double CpuMicros) CollectDemo(string dir, int records, SegmentOptions? segments)
    {
        var collector = new Collector(new CollectorOptions
        {
            Directory = dir, FlushCount = 100, Backpressure = Backpressure.Block, Segments = segments,
        }, new DemoSource(100_000_000, seed: 1));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        collector.Start();
        while (collector.Stats.Received < records)
        {
            Thread.Sleep(1);
        }

        collector.StopAsync().GetAwaiter().GetResult();
        var elapsed = watch.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var flushed = collector.Stats.Flushed;
        if (flushed != collector.Stats.Received)
        {
            throw new InvalidOperationException($"{flushed} flushed of {collector.Stats.Received}");
        }

        return (flushed / elapsed.TotalSeconds, used.TotalMicroseconds / flushed);
    }

    /// <summary>The demo source into a sink that only counts: what making the records costs, in the demo rows.</summary>
    private static (double Rate, double CpuMicros) DemoAlone(int records)
    {
        long count = 0;
        using var stop = new CancellationTokenSource();
        var context = new SourceContext((_, _) =>
        {
            if (++count >= records)
            {
                stop.Cancel();
            }

            return ValueTask.CompletedTask;
        }, () => { }, _ => { });
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        try
        {
            new DemoSource(100_000_000, seed: 1).RunAsync(context, stop.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (count / watch.Elapsed.TotalSeconds, used.TotalMicroseconds / count);
    }

    internal static (double Rate, double CpuMicros) Loop(string dir, List<byte[]> lines)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        using (var file = new FileStream(Path.Combine(dir, "loop.jsonl"), FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16))
        {
            for (var i = 0; i < lines.Count; i++)
            {
                file.Write(lines[i]);
                file.WriteByte((byte)'\n');
                if ((i + 1) % 100 == 0)
                {
                    file.Flush(flushToDisk: false);
                }
            }
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return (lines.Count / watch.Elapsed.TotalSeconds, used.TotalMicroseconds / lines.Count);
    }

    private static object? Scan(string root)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT sum(sequence) FROM read_parquet('{root}/**/*.parquet', hive_partitioning = true)";
        return command.ExecuteScalar();
    }

    internal static string Fresh(string work, string name)
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
