using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace PipelineOps.Pester.Tests;

/// <summary>
/// The Pester suite as a first-class part of <c>dotnet test</c>: every tests/*.Tests.ps1 runs in the pinned pwsh
/// (a real pwsh process, not a hosted engine) against the staged module. Pester's own report and summary go to
/// out/test-results/pester.log and, when anything fails, into this test's failure message.
/// </summary>
public sealed class PesterSuiteTests(ITestOutputHelper output)
{
    // A guard against a hung pwsh only; the suite takes well under a minute on an idle machine.
    private static readonly TimeSpan Hung = TimeSpan.FromMinutes(12);

    [Fact]
    public void Every_Pester_test_file_passes_in_real_pwsh()
    {
        var root = RepoRoot();
        var results = Path.Combine(root, "out", "test-results");
        Directory.CreateDirectory(results);
        var log = Path.Combine(results, "pester.log");
        var summaryFile = Path.Combine(results, "pester-summary.txt");
        File.Delete(summaryFile);

        var pwsh = PinnedPwsh(root);
        var pester = Path.Combine(Metadata("NuGetPackageRoot"), "pester", Metadata("PesterVersion"), "tools", "Pester.psd1");
        Assert.True(File.Exists(pester), $"Pester was not restored to {pester}.");

        var info = Dotnet(root, pwsh, "-NoProfile", "-NonInteractive", "-File", Path.Combine(root, "tests", "Invoke-PesterSuite.ps1"),
            "-PesterModule", pester, "-SummaryFile", summaryFile);
        info.Environment["NUGET_PACKAGES"] = Metadata("NuGetPackageRoot");
        var (exit, text) = Run(info);
        File.WriteAllText(log, text);
        output.WriteLine(text);

        var summary = File.Exists(summaryFile) ? File.ReadAllText(summaryFile).Trim() : "Pester: no summary (the run did not finish)";
        Assert.True(exit == 0, $"{summary} (exit code {exit}; full report in {log})\n{Tail(text, 80)}");
    }

    /// <summary>pwsh.dll of the PowerShell tool that .config/dotnet-tools.json pins, restored on first use.</summary>
    private static string PinnedPwsh(string root)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, ".config", "dotnet-tools.json")));
        var version = manifest.RootElement.GetProperty("tools").GetProperty("powershell").GetProperty("version").GetString()!;
        var platform = OperatingSystem.IsWindows() ? "win" : "unix";
        var pwsh = Path.Combine(Metadata("NuGetPackageRoot"), "powershell", version, "tools", "net10.0", "any", platform, "pwsh.dll");
        if (!File.Exists(pwsh))
        {
            var (exit, text) = Run(Dotnet(root, "tool", "restore"));
            Assert.True(exit == 0 && File.Exists(pwsh), $"dotnet tool restore did not bring {pwsh} (exit code {exit}):\n{text}");
        }

        return pwsh;
    }

    private static ProcessStartInfo Dotnet(string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    private static (int ExitCode, string Output) Run(ProcessStartInfo info)
    {
        var text = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(text, e.Data);
        process.ErrorDataReceived += (_, e) => Append(text, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Hung))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Append(text, $"(killed: still running after {Hung.TotalMinutes} minutes)");
            return (-1, text.ToString());
        }

        process.WaitForExit();
        return (process.ExitCode, text.ToString());
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static string Tail(string text, int lines) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));

    private static string Metadata(string key) =>
        typeof(PesterSuiteTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PipelineOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (PipelineOps.sln) above " + AppContext.BaseDirectory);
    }
}
