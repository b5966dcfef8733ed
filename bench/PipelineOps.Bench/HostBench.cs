using System.Globalization;

namespace PipelineOps.Bench;

/// <summary>
/// The pipelineops host: its size on disk and how long it takes to start, run nothing and exit, against pwsh
/// (the pinned PowerShell tool) starting and importing the same module. --before DIR compares an earlier build's
/// out/ folder (DIR/host/pipelineops with DIR/PipelineOps beside it).
/// </summary>
internal static class HostBench
{
    public static void Run(BenchOptions options)
    {
        var repeat = options.Int("repeat", 7);
        var root = Measure.RepoRoot();
        var host = Path.Combine(root, "out", "host", "pipelineops");
        var module = Path.Combine(root, "out", "PipelineOps", "PipelineOps.psd1");
        var rows = new List<(string What, TimeSpan Start, long? Bytes)>();

        var pwsh = PinnedPwsh(root);
        if (pwsh is not null)
        {
            rows.Add(("pwsh -NoProfile: Import-Module PipelineOps; exit", Time(repeat, "dotnet", pwsh, "-NoProfile", "-Command", $"Import-Module '{module}'; exit 0"), null));
        }

        rows.Add(("pipelineops -Command 'exit'", Time(repeat, host, "-Command", "exit 0"), Size(Path.GetDirectoryName(host)!)));
        rows.Add(("pipelineops -NoModule -Command 'exit'", Time(repeat, host, "-NoModule", "-Command", "exit 0"), null));
        rows.Add(("pipelineops: Get-Date | Format-List (Utility)", Time(repeat, host, "-Command", "Get-Date | Format-List | Out-Null"), null));
        if (options.String("before", "") is { Length: > 0 } before)
        {
            var old = Path.Combine(before, "host", "pipelineops");
            rows.Add(("earlier pipelineops -Command 'exit'", Time(repeat, old, "-Command", "exit 0"), Size(Path.GetDirectoryName(old)!)));
            rows.Add(("earlier pipelineops -NoModule -Command 'exit'", Time(repeat, old, "-NoModule", "-Command", "exit 0"), null));
        }

        var yardstick = rows[0].Start;
        Console.WriteLine($"{"what",-50} {"start to exit",14} {"ratio",7} {"size on disk",14}");
        foreach (var (what, start, bytes) in rows)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what,-50} {start.TotalMilliseconds,11:N0} ms {start / yardstick,6:N2}x {(bytes is { } b ? $"{b / 1048576.0:N1} MB" : ""),14}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median of {repeat} runs each, load average {LoadAverage()}"));
    }

    private static TimeSpan Time(int repeat, string file, params string[] args) =>
        Measure.Median(repeat, () => Measure.Program(file, args)).Median;

    private static long Size(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static string? PinnedPwsh(string root)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var manifest = File.ReadAllText(Path.Combine(root, ".config", "dotnet-tools.json"));
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        var version = json.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString()!;
        var pwsh = Path.Combine(packages, "powershell", version, "tools", "net10.0", "any", "unix", "pwsh.dll");
        if (File.Exists(pwsh))
        {
            return pwsh;
        }

        Console.Error.WriteLine("pwsh not restored (dotnet tool restore): the yardstick row is left out.");
        return null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
