using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using PipelineOps.Conversion;

namespace PipelineOps.Bench;

/// <summary>
/// Convert-JsonlToParquet's engine against DuckDB's COPY (SELECT * FROM read_json(...)) TO ... (FORMAT parquet) on the
/// same generated Coinbase-style JSONL (level2 and ticker shapes), same codec. Each side runs in its own child process
/// so its peak resident memory (VmHWM) is its own. Two input sizes show whether memory stays flat as inputs grow.
/// </summary>
internal static class ConvertBench
{
    public const string ChildCommand = "convert-child";

    public static void Run(BenchOptions options)
    {
        var megabytes = options.Int("mb", 256);
        var codec = options.String("codec", "zstd");
        var repeat = Math.Max(1, options.Int("repeat", 3));
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-convert"));
        Directory.CreateDirectory(work);
        if (options.String("gzip", "") is { Length: > 0 })
        {
            RunGzip(megabytes, codec, repeat, work);
            return;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"convert: Coinbase-style JSONL, codec {codec}, {Environment.ProcessorCount} cores, median of {repeat} runs a side (taken in turns)"));
        Console.WriteLine("  input      side                  seconds     MB/s     rows/s   peak MB   ratio (DuckDB time / ours)");
        foreach (var size in new[] { Math.Max(16, megabytes / 4), megabytes })
        {
            var source = Generate(work, size, out var rows);
            var mb = new FileInfo(source).Length / 1048576.0;
            WarmPageCache(source);

            // The machine's speed drifts by 10-25% within minutes: each round runs every side once, in turn.
            // The first side is ours; the yardstick's rows get the ratio to it.
            var sides = new (string Label, bool Yardstick, Func<(double Seconds, double PeakMb)> Run)[]
            {
                ("PipelineOps engine", false, () => RunChild("engine", source, Path.Combine(work, "out-engine"), codec)),
                ("  no dictionaries", false, () => RunChild("engine-plain", source, Path.Combine(work, "out-engine-plain"), codec)),
                ("  runtime defaults", false, () => RunChild("engine", source, Path.Combine(work, "out-engine-defaults"), codec, RuntimeDefaults)),
                ($"  heap capped {HeapCap / 1048576} MB", false,
                    () => RunChild("engine", source, Path.Combine(work, "out-engine-capped"), codec, HeapCapped)),
                ("DuckDB (all threads)", true, () => RunChild("duckdb", source, Path.Combine(work, "out-duckdb.parquet"), codec)),
                ("DuckDB (1 thread)", true, () => RunChild("duckdb1", source, Path.Combine(work, "out-duckdb1.parquet"), codec)),
                ("process: pipelineops", false, () => RunHost(source, Path.Combine(work, "out-host"), codec)),
                ("process: DuckDB", true, () => RunChild("duckdb", source, Path.Combine(work, "out-duckdb-process.parquet"), codec, whole: true)),
            };
            var medians = InTurns(sides.Select(side => side.Run).ToArray(), repeat);
            for (var i = 0; i < sides.Length; i++)
            {
                // A whole DuckDB process is compared with a whole pipelineops process, the engine rows with the engine.
                var ours = sides[i].Label.StartsWith("process:", StringComparison.Ordinal) ? medians[i - 1].Seconds : medians[0].Seconds;
                Print(mb, sides[i].Label, medians[i], rows, sides[i].Yardstick ? medians[i].Seconds / ours : null);
            }

            PrintOutputs(work, repeat);
        }
    }

    /// <summary>What readers get: each side's output size, and DuckDB's time to scan it with a typical query.</summary>
    private static void PrintOutputs(string work, int repeat)
    {
        Console.WriteLine("             output                 MB on disk   DuckDB scan s (group by type, product_id; median)");
        foreach (var (label, path) in new[]
                 {
                     ("PipelineOps", Path.Combine(work, "out-engine")), ("  no dictionaries", Path.Combine(work, "out-engine-plain")),
                     ("DuckDB", Path.Combine(work, "out-duckdb.parquet")),
                 })
        {
            var files = Directory.Exists(path) ? Directory.GetFiles(path, "*.parquet", SearchOption.AllDirectories) : [path];
            var bytes = files.Sum(f => new FileInfo(f).Length);
            var list = string.Join(", ", files.Select(f => $"'{f}'"));
            var query = $"SELECT type, product_id, count(*), max(time) FROM read_parquet([{list}]) GROUP BY ALL";
            var (time, _) = Measure.Median(Math.Max(3, repeat), () =>
            {
                using var connection = new DuckDBConnection("Data Source=:memory:");
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = query;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                }

                return 0;
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"             {label,-22} {bytes / 1048576.0,10:0.0}   {time.TotalSeconds,8:0.000}"));
        }
    }

    /// <summary>Convert-JsonlToParquet as users run it at night: a whole pipelineops process, from start to exit, with
    /// its peak memory read from /proc while it runs.</summary>
    private static (double Seconds, double PeakMb) RunHost(string source, string destination, string codec)
    {
        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        var host = Path.Combine(Measure.RepoRoot(), "out", "host", "pipelineops");
        var command = $"Convert-JsonlToParquet -LiteralPath '{source}' -Destination '{destination}' -Compression {codec} " +
                      "-IncludeLatest -QuietPeriod 0 -Force -ProgressAction SilentlyContinue | Out-Null";
        return Measure.WholeProcess(host, null, "-Command", command);
    }

    /// <summary>--gzip: the same JSONL gzip-compressed. Converted by the engine and by DuckDB, and decompressed alone
    /// through GZipStream and through GzipContentStream (which also notices data after the last member), so the
    /// check's cost is seen on its own.</summary>
    private static void RunGzip(int megabytes, string codec, int repeat, string work)
    {
        var plain = Generate(work, megabytes, out var rows);
        var source = plain + ".gz";
        if (!File.Exists(source))
        {
            using var input = File.OpenRead(plain);
            using var output = new System.IO.Compression.GZipStream(File.Create(source), System.IO.Compression.CompressionLevel.Fastest);
            input.CopyTo(output);
        }

        WarmPageCache(source);
        var mb = new FileInfo(plain).Length / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"convert --gzip: {new FileInfo(source).Length / 1048576.0:0} MB .gz of {mb:0} MB JSONL, codec {codec}, median of {repeat} runs a side (MB/s of decompressed JSONL)"));
        Console.WriteLine("  input      side                  seconds     MB/s     rows/s   peak MB   ratio (yardstick time / ours)");
        var sides = new (string Label, int Against, Func<(double Seconds, double PeakMb)> Run)[]
        {
            ("PipelineOps engine", -1, () => RunChild("engine", source, Path.Combine(work, "out-engine-gz"), codec)),
            ("DuckDB (all threads)", 0, () => RunChild("duckdb", source, Path.Combine(work, "out-duckdb-gz.parquet"), codec)),
            ("GzipContentStream", -1, () => RunChild("gunzip-checked", source, "-", codec)),
            ("GZipStream alone", 2, () => RunChild("gunzip", source, "-", codec)),
        };
        var medians = InTurns(sides.Select(side => side.Run).ToArray(), repeat);
        for (var i = 0; i < sides.Length; i++)
        {
            Print(mb, sides[i].Label, medians[i], rows, sides[i].Against >= 0 ? medians[i].Seconds / medians[sides[i].Against].Seconds : null);
        }
    }

    /// <summary>Runs every side once per round, in turn (the machine's speed drifts within minutes), and gives each
    /// side's median time and highest peak.</summary>
    private static (double Seconds, double PeakMb)[] InTurns(Func<(double Seconds, double PeakMb)>[] sides, int repeat)
    {
        var runs = sides.Select(_ => new List<(double Seconds, double PeakMb)>()).ToArray();
        for (var round = 0; round < repeat; round++)
        {
            for (var i = 0; i < sides.Length; i++)
            {
                runs[i].Add(sides[i]());
            }
        }

        return runs.Select(r => (Median(r.Select(x => x.Seconds)), r.Max(x => x.PeakMb))).ToArray();
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Reads the file once so both sides start with it in the page cache.</summary>
    private static void WarmPageCache(string path)
    {
        using var stream = File.OpenRead(path);
        var buffer = new byte[1 << 20];
        while (stream.Read(buffer) > 0)
        {
        }
    }

    private static void Print(double mb, string side, (double Seconds, double PeakMb) r, long rows, double? ratio) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {mb,6:0} MB  {side,-20} {r.Seconds,8:0.00} {mb / r.Seconds,8:0.0} {rows / r.Seconds,10:N0} {r.PeakMb,9:0}   {(ratio is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) + "x" : "")}"));

    /// <summary>A hard GC heap limit for one engine run: it completes at every input size only if memory is bounded
    /// by the row-group size rather than by the input.</summary>
    private const long HeapCap = 256L * 1048576;

    private static readonly Dictionary<string, string> HeapCapped = new()
    {
        ["DOTNET_GCHeapHardLimit"] = "0x" + HeapCap.ToString("X", CultureInfo.InvariantCulture),
    };

    /// <summary>The engine as a fresh pwsh process runs it: without the host's tiering settings (HostRuntime.props),
    /// which environment variables override. The runtime reads them as hexadecimal: 0x64 is its default of 100 ms.</summary>
    private static readonly Dictionary<string, string> RuntimeDefaults = new()
    {
        ["DOTNET_TC_CallCountingDelayMs"] = "64",
        ["DOTNET_TC_CallCountThreshold"] = "1E", // 30 calls
        ["DOTNET_TieredPGO"] = "1",
        ["DOTNET_TC_QuickJitForLoops"] = "1",
        ["DOTNET_GCConserveMemory"] = "0",
    };

    private static (double Seconds, double PeakMb) RunChild(string side, string source, string destination, string codec,
        Dictionary<string, string>? environment = null, bool whole = false)
    {
        var self = Environment.ProcessPath!;
        var args = new List<string>();
        if (self.EndsWith("dotnet", StringComparison.Ordinal))
        {
            args.Add(typeof(ConvertBench).Assembly.Location);
        }

        args.AddRange([ChildCommand, side, source, destination, codec]);
        if (whole)
        {
            return Measure.WholeProcess(self, environment, [.. args]);
        }

        var output = Measure.Program(self, environment, [.. args]).Trim().Split(' ');
        return (double.Parse(output[0], CultureInfo.InvariantCulture), double.Parse(output[1], CultureInfo.InvariantCulture));
    }

    /// <summary>In the child: convert once, print "seconds peakMB".</summary>
    public static int Child(string[] args)
    {
        var (side, source, destination, codec) = (args[0], args[1], args[2], args[3]);
        if (side.StartsWith("gunzip", StringComparison.Ordinal))
        {
            var clock = Stopwatch.StartNew();
            using (var content = side == "gunzip"
                       ? new System.IO.Compression.GZipStream(File.OpenRead(source), System.IO.Compression.CompressionMode.Decompress)
                       : (Stream)new PipelineOps.IO.GzipContentStream(() => File.OpenRead(source)))
            {
                var buffer = new byte[1 << 20];
                while (content.Read(buffer) > 0)
                {
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:0.000} {PeakMb():0}"));
            return 0;
        }

        if (Directory.Exists(destination))
        {
            Directory.Delete(destination, recursive: true);
        }

        File.Delete(destination);
        var watch = Stopwatch.StartNew();
        if (side.StartsWith("engine", StringComparison.Ordinal))
        {
            var options = new ConversionOptions
            {
                Destination = destination,
                Compression = Enum.Parse<ParquetCompression>(codec, ignoreCase: true),
                Force = true,
                DictionaryEncoding = side != "engine-plain",
            };
            using var run = ConversionRun.Open(options);
            var result = run.Convert(source);
            if (result.Status != ConversionStatus.Converted)
            {
                throw new InvalidOperationException(result.Reason);
            }
        }
        else
        {
            using var connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            var threads = side == "duckdb1" ? "SET threads = 1; " : "";
            command.CommandText = threads +
                $"COPY (SELECT * FROM read_json('{source}', format = 'newline_delimited')) TO '{destination}' (FORMAT parquet, COMPRESSION {codec})";
            command.ExecuteNonQuery();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{watch.Elapsed.TotalSeconds:0.000} {PeakMb():0}"));
        return 0;
    }

    private static double PeakMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    }

    /// <summary>Level2 updates (4 in 5) and tickers, as a Coinbase feed delivers them; reused when already there.</summary>
    private static string Generate(string work, int megabytes, out long rows)
    {
        var path = Path.Combine(work, $"market_{megabytes}mb_20251114.jsonl");
        var marker = path + ".rows";
        if (File.Exists(path) && File.Exists(marker))
        {
            rows = long.Parse(File.ReadAllText(marker), CultureInfo.InvariantCulture);
            return path;
        }

        var random = new Random(42);
        var products = new[] { "BTC-USD", "ETH-USD", "SOL-USD", "DOGE-USD", "ADA-USD" };
        var time = new DateTime(2025, 11, 14, 0, 0, 0, DateTimeKind.Utc);
        var target = megabytes * 1048576L;
        rows = 0;
        using (var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
        {
            var written = 0L;
            var builder = new StringBuilder(512);
            while (written < target)
            {
                time = time.AddTicks(random.Next(1, 20_000));
                var product = products[random.Next(products.Length)];
                var stamp = time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                builder.Clear();
                if (random.Next(5) > 0)
                {
                    var price = (90000 + random.NextDouble() * 2000).ToString("0.00", CultureInfo.InvariantCulture);
                    var size = random.NextDouble().ToString("0.00000000", CultureInfo.InvariantCulture);
                    builder.Append(CultureInfo.InvariantCulture, $$"""{"type":"l2update","product_id":"{{product}}","changes":[["{{(random.Next(2) == 0 ? "buy" : "sell")}}","{{price}}","{{size}}"]],"time":"{{stamp}}"}""");
                }
                else
                {
                    var price = (3000 + random.NextDouble() * 200).ToString("0.00", CultureInfo.InvariantCulture);
                    builder.Append(CultureInfo.InvariantCulture, $$"""{"type":"ticker","sequence":{{rows}},"product_id":"{{product}}","price":"{{price}}","open_24h":"3050.00","volume_24h":"123456.78901234","low_24h":"2990.01","high_24h":"3210.55","volume_30d":"3456789.12345678","best_bid":"{{price}}","best_bid_size":"1.5","best_ask":"{{price}}","best_ask_size":"0.75","side":"buy","time":"{{stamp}}","trade_id":{{rows * 7}},"last_size":"0.01"}""");
                }

                builder.Append('\n');
                writer.Write(builder);
                written += builder.Length;
                rows++;
            }
        }

        File.WriteAllText(marker, rows.ToString(CultureInfo.InvariantCulture));
        return path;
    }
}
