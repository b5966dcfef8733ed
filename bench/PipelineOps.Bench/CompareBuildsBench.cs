using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

namespace PipelineOps.Bench;

/// <summary>
/// The JSON-lines collector on pre-made lines (as in the segments bench), this build against another build of
/// PipelineOps.Core loaded beside it in the same process, and the FileStream loop, in turns: CPU per record of each.
/// A change worth a few percent is lost between separate runs on a machine whose speed drifts by more than that from
/// one minute, or one process, to the next; taken in turns in one process, every round meets the same conditions.
/// </summary>
internal static class CompareBuildsBench
{
    public static void Run(BenchOptions options)
    {
        var baseline = Path.GetFullPath(options.String("baseline", "."));
        if (!File.Exists(baseline))
        {
            throw new ArgumentException("--baseline <another build's PipelineOps.Core.dll> is required; see bench/README.md");
        }

        var records = options.Int("records", 300_000);
        var rounds = options.Int("rounds", 31);
        var work = options.String("dir", Path.Combine(Path.GetTempPath(), "pipelineops-bench-builds"));
        var sides = new (string Name, MethodInfo Collect)[]
        {
            ("this build", typeof(CompareBuildsBench).GetMethod(nameof(CollectOnce))!),
            ("baseline", new Beside(baseline).LoadFromAssemblyPath(typeof(CompareBuildsBench).Assembly.Location)
                .GetType(typeof(CompareBuildsBench).FullName!)!.GetMethod(nameof(CollectOnce))!),
        };
        var lines = SegmentBench.Lines(records, products: 10);
        var cpu = sides.ToDictionary(s => s.Name, _ => new List<double>());
        var loop = new List<double>();
        Console.WriteLine($"builds: {records:N0} records, {rounds} rounds in turns (the first two not counted), baseline {baseline}");
        for (var round = 0; round < rounds; round++)
        {
            // Each round in the other order, so neither build always runs right after the loop.
            foreach (var (name, collect) in round % 2 == 0 ? sides : sides.Reverse())
            {
                var used = (double)collect.Invoke(null, [SegmentBench.Fresh(work, "side"), records])!;
                if (round >= 2)
                {
                    cpu[name].Add(used);
                }
            }

            var (_, loopCpu) = SegmentBench.Loop(SegmentBench.Fresh(work, "loop"), lines);
            if (round >= 2)
            {
                loop.Add(loopCpu);
            }
        }

        var loopMedian = Measure.Median(loop);
        Console.WriteLine("  side                        CPU us/record: median    min    ratio to loop (medians)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {"FileStream loop",-28}{loopMedian,22:0.000}{loop.Min(),7:0.000}{1,12:0.00}x"));
        foreach (var (name, _) in sides)
        {
            var median = Measure.Median(cpu[name]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-28}{median,22:0.000}{cpu[name].Min(),7:0.000}{median / loopMedian,12:0.00}x"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  this build / baseline: {Measure.Median(cpu["this build"]) / Measure.Median(cpu["baseline"]):0.000} (medians), {cpu["this build"].Min() / cpu["baseline"].Min():0.000} (minima)"));
    }

    /// <summary>One collector run over pre-made lines: CPU microseconds a record. Public: called by reflection in
    /// each build's copy of this assembly.</summary>
    public static double CollectOnce(string dir, int records)
    {
        s_lines ??= SegmentBench.Lines(records, products: 10);
        return SegmentBench.Collect(dir, s_lines, null).CpuMicros;
    }

    private static List<byte[]>? s_lines;

    /// <summary>This bench's assembly again, bound to the baseline's PipelineOps.Core; everything else is shared.</summary>
    private sealed class Beside(string core) : AssemblyLoadContext("baseline")
    {
        protected override Assembly? Load(AssemblyName name) => name.Name switch
        {
            "PipelineOps.Core" => LoadFromAssemblyPath(core),
            _ => null,
        };
    }
}
