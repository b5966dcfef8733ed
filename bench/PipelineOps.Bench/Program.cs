namespace PipelineOps.Bench;

internal static class Program
{
    private static int Main(string[] args)
    {
        var name = args.Length > 0 ? args[0] : "";
        var options = BenchOptions.Parse(args.Skip(1).ToArray());
        switch (name)
        {
            case "file-activity":
                FileActivityBench.Run(options);
                return 0;
            case "convert":
                ConvertBench.Run(options);
                return 0;
            case "collect":
                CollectBench.Run(options);
                return 0;
            case "segments":
                SegmentBench.Run(options);
                return 0;
            case "builds":
                CompareBuildsBench.Run(options);
                return 0;
            case "sample":
                SampleBench.Run(options);
                return 0;
            case "host":
                HostBench.Run(options);
                return 0;
            case "scheduler":
                SchedulerBench.Run(options);
                return 0;
            case ConvertBench.ChildCommand:
                return ConvertBench.Child(args.Skip(1).ToArray());
            case LoopbackFeed.ChildCommand:
                return LoopbackFeed.Child(args.Skip(1).ToArray());
            default:
                Console.Error.WriteLine("""
                    Usage: dotnet run -c Release --project bench/PipelineOps.Bench -- <benchmark> [--name value ...]

                    Benchmarks:
                      file-activity   Test-FileActive's engine classifying a tree of files, against `find DIR -mmin -1`
                                      on the same tree. Options: --files 100000 --repeat 5 --dir <tree folder>
                      convert         Convert-JsonlToParquet's engine against DuckDB's COPY (read_json) TO parquet on the
                                      same market-data JSONL. Options: --mb 256 --codec zstd --dir <work folder>
                                      --gzip 1: the same JSONL as .gz, and its decompression alone with and without
                                      the trailing-data check.
                      collect         The collector's sustained write rate from its demo source (Flush, Fsync) against
                                      a FileStream append loop, and its memory when the source outruns the writer;
                                      then from a WebSocket feed on loopback with and without permessage-deflate
                                      (records/s, CPU per record, bytes on the wire) against a bare receive loop.
                                      Options: --seconds 5 --flush-count 100 --ws-records 200000 --only ws --dir <work folder>
                      segments        Start-Collector -Format Parquet against -Format JsonLines and a FileStream loop on
                                      the same lines, and both from the -Demo feed (rec/s, CPU per record), memory with
                                      1,000 partitions, ready/ size and DuckDB scan time against Convert-JsonlToParquet.
                                      Options: --records 300000 --repeat 1 --only rates --side <part of a side's name>
                                      --warmup 0 (skips the two seconds of untimed runs before each side)
                      builds          The JSON-lines collector's CPU per record, this build against another build's
                                      PipelineOps.Core loaded beside it, in turns in one process, with the FileStream loop.
                                      Options: --baseline <PipelineOps.Core.dll> --records 300000 --rounds 31
                      sample          The staging sampler: a pass over a 1,000,000-entry manifest (nothing / 1% changed)
                                      against re-reading the whole manifest; sampling time for small vs huge csv, jsonl,
                                      jsonl.gz and parquet. Options: --entries 1000000 --small-mb 5 --large-gb 5 --repeat 3
                      host            The pipelineops host's size and start-to-exit time against pwsh importing the
                                      module. Options: --repeat 7 --before <an earlier out/ folder>
                      scheduler       Firing lateness (p50/p99) with 1,000 jobs every minute on SQLite and on PostgreSQL (a
                                      throwaway server: postgresql's binaries needed), idle CPU and working set of a waiting
                                      scheduler, beside cron's and systemd timers' resolution.
                                      Then the first firing in a freshly launched pipelineops scheduler process.
                                      Options: --jobs 1000 --seconds 60 --idle-seconds 30 --repeat 3 --only sqlite|postgresql|process
                    """);
                return 64;
        }
    }
}

/// <summary>--name value pairs.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values;

    private BenchOptions(Dictionary<string, string> values) => _values = values;

    public static BenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new BenchOptions(values);
    }

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public string String(string name, string fallback) => _values.GetValueOrDefault(name, fallback);
}
