using System.Diagnostics;

namespace PipelineOps.Bench;

/// <summary>Repeats a run and keeps the median, so one noisy run does not decide a ratio.</summary>
internal static class Measure
{
    public static (TimeSpan Median, T Result) Median<T>(int repeat, Func<T> run) => Median(repeat, () => { }, run);

    /// <summary>As above, with an untimed setup before each run.</summary>
    public static (TimeSpan Median, T Result) Median<T>(int repeat, Action setup, Func<T> run)
    {
        var times = new List<TimeSpan>();
        T result = default!;
        for (var i = 0; i < repeat; i++)
        {
            setup();
            var watch = Stopwatch.StartNew();
            result = run();
            times.Add(watch.Elapsed);
        }

        times.Sort();
        return (times[times.Count / 2], result);
    }

    /// <summary>The middle value (the upper of the two middle ones for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>Runs a program to completion and returns its standard output.</summary>
    public static string Program(string file, params string[] args) => Program(file, null, args);

    public static string Program(string file, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var process = Process.Start(StartInfo(file, environment, args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout.Result;
    }

    /// <summary>Runs a program from start to exit: its wall time, and its peak resident memory (VmHWM, read from /proc
    /// every 20 ms while it runs; the last reading before exit).</summary>
    public static (double Seconds, double PeakMb) WholeProcess(string file, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = StartInfo(file, environment, args);
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var status = $"/proc/{process.Id}/status";
        double peak = 0;
        while (!process.WaitForExit(20))
        {
            try
            {
                var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
                }
            }
            catch (IOException)
            {
                // exited between the wait and the read
            }
        }

        var seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }

        return (seconds, peak);
    }

    /// <summary>A child run with workstation GC (as the host runs), its output read by the caller.</summary>
    private static ProcessStartInfo StartInfo(string file, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PipelineOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmarks from the repository.");
    }
}
