using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;

namespace PipelineOps.Bench;

/// <summary>
/// The collector's sustained write rate from its demo source (Flush and Fsync durability), against a plain baseline
/// that appends the same lines with a FileStream in a loop and flushes (or fsyncs) every FlushCount lines; then its
/// memory while the source outruns an fsyncing writer (the bounded queue drops and counts instead of growing); then
/// from a WebSocket feed on loopback (a child process, so CPU time here is the collector's), with permessage-deflate
/// and without: records/s, CPU per record and bytes on the wire, against a bare ClientWebSocket loop that only counts
/// the messages it receives.
/// </summary>
internal static class CollectBench
{
    public static void Run(BenchOptions options)
    {
        var seconds = options.Int("seconds", 5);
        var flushCount = options.Int("flush-count", 100);
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-collect"));
        if (options.String("only", "") == "ws")
        {
            WebSocketFeed(work, options.Int("ws-records", 200_000));
            return;
        }

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
        WebSocketFeed(work, options.Int("ws-records", 200_000));
    }

    /// <summary>The collector on a loopback WebSocket feed of market records, with and without permessage-deflate.</summary>
    private static void WebSocketFeed(string work, int records)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal))
        {
            info.ArgumentList.Add(typeof(CollectBench).Assembly.Location);
        }

        info.ArgumentList.Add(LoopbackFeed.ChildCommand);
        info.ArgumentList.Add(records.ToString(CultureInfo.InvariantCulture));
        info.Environment["DOTNET_gcServer"] = "0";
        using var server = Process.Start(info)!;
        try
        {
            var uri = new Uri($"ws://127.0.0.1:{server.StandardOutput.ReadLine()!.Split(' ')[1]}/feed");
            Console.WriteLine($"collect from a WebSocket feed on loopback: {records:N0} l2update records per run, Flush durability, Block");
            Console.WriteLine("  permessage-deflate   side                       rec/s   CPU us/rec   bytes on the wire   bytes/rec");
            foreach (var compression in new[] { true, false })
            {
                // Warm-up: the first run in a process pays for loading and compiling the WebSocket, zlib and collector code.
                Bare(uri, compression, records);
                ReadBytes(server);
                Collector(uri, compression, records, Fresh(work, $"ws-warm-{compression}"));
                ReadBytes(server);
                var bare = Bare(uri, compression, records);
                var bareBytes = ReadBytes(server);
                var collected = Collector(uri, compression, records, Fresh(work, $"ws-{compression}"));
                var collectedBytes = ReadBytes(server);
                foreach (var (side, (seconds, cpu), bytes) in new[] { ("collector", collected, collectedBytes), ("bare ClientWebSocket loop", bare, bareBytes) })
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {(compression ? "on" : "off"),-20} {side,-25} {records / seconds,9:N0} {cpu.TotalMicroseconds / records,12:0.00} {bytes,19:N0} {bytes / (double)records,11:0.0}"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {"",-20} collector / bare: {bare.Seconds / collected.Seconds:0.00}x the rate, {collected.Cpu / bare.Cpu:0.00}x the CPU"));
            }
        }
        finally
        {
            server.Kill();
        }
    }

    private static long ReadBytes(Process server) => long.Parse(server.StandardOutput.ReadLine()!.Split(' ')[1], CultureInfo.InvariantCulture);

    private static (double Seconds, TimeSpan Cpu) Collector(Uri uri, bool compression, int records, string dir)
    {
        var collector = new Collector(new CollectorOptions { Directory = dir, Stream = "ws", Backpressure = Backpressure.Block },
            new WebSocketSource(new WebSocketSourceOptions { Uri = uri, Compression = compression }));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        collector.Start();
        while (collector.Stats.Flushed + collector.Stats.Pending < records)
        {
            Thread.Sleep(1);
        }

        collector.StopAsync().GetAwaiter().GetResult();
        var elapsed = watch.Elapsed.TotalSeconds;
        return (elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    private static (double Seconds, TimeSpan Cpu) Bare(Uri uri, bool compression, int records)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        using var socket = new ClientWebSocket();
        if (compression)
        {
            socket.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        }

        socket.ConnectAsync(uri, CancellationToken.None).GetAwaiter().GetResult();
        var buffer = new byte[64 * 1024];
        var received = 0;
        while (received < records)
        {
            var result = socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (result.EndOfMessage && result.MessageType == WebSocketMessageType.Text)
            {
                received++;
            }
        }

        socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).GetAwaiter().GetResult();
        return (watch.Elapsed.TotalSeconds, Process.GetCurrentProcess().TotalProcessorTime - cpu);
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
