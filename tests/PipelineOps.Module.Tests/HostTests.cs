using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>The pipelineops program, run as a separate process the way service units and scripts run it.</summary>
public sealed class HostTests : IDisposable
{
    private readonly SampleData _data = new();

    public void Dispose() => _data.Dispose();

    private string Script(string name, string text)
    {
        var path = Path.Combine(_data.Root, "scripts", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Command_output_is_formatted_with_the_modules_table_view_in_plain_text()
    {
        var result = HostProcess.Run("-Command", $"Test-FileActive -LiteralPath '{_data.Root}'");

        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
        Assert.Matches(@"^IsActive\s+Reasons\s+Group\s+Length\s+LastWrite \(UTC\)\s+Name$", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("False", StringComparison.Ordinal) && l.EndsWith("level2_20251113.txt", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("True", StringComparison.Ordinal) && l.Contains("{Latest, TornTail}", StringComparison.Ordinal));
        Assert.DoesNotContain('\u001b', result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void File_runs_a_script_with_named_and_positional_arguments_and_its_own_root()
    {
        var script = Script("args.ps1", """
            param([string] $Dir, [int] $Count, [switch] $Loud, [string] $Rest)
            "dir=$Dir count=$($Count + 1) loud=$Loud rest=$Rest"
            "root=$PSScriptRoot"
            """);

        var result = HostProcess.Run("-File", script, "-Dir", "/data/it's here", "-Count:41", "-Loud", "tail");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("dir=/data/it's here count=42 loud=True rest=tail", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("root=" + Path.GetDirectoryName(script), result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("'fine'", 0)]
    [InlineData("throw 'broken'", 1)]
    [InlineData("Test-FileActive -LiteralPath /nonexistent/x.txt", 1)]
    [InlineData("Test-FileActive -LiteralPath /nonexistent/x.txt -ErrorAction SilentlyContinue", 0)]
    public void The_exit_code_says_whether_the_script_failed(string script, int expected)
    {
        var fromFile = HostProcess.Run("-File", Script("exit.ps1", script));
        var fromCommand = HostProcess.Run("-Command", script);

        Assert.Equal(expected, fromFile.ExitCode);
        Assert.Equal(expected, fromCommand.ExitCode);
    }

    [Fact]
    public void Errors_and_verbose_messages_go_to_stderr_and_data_to_stdout()
    {
        var result = HostProcess.Run("-Command",
            $"Test-FileActive -LiteralPath '{_data.PathOf("ticker_20251114.jsonl")}', '/nonexistent/y.txt' -Quiet -Verbose");

        Assert.Equal("True", result.Stdout.Trim());
        Assert.Contains("VERBOSE: " + _data.PathOf("ticker_20251114.jsonl") + ": active (Latest, TornTail)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Test-FileActive: Cannot find path '/nonexistent/y.txt'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demo_in_the_README_shows_active_files_and_lists_only_completed_days_as_safe()
    {
        var folder = Path.Combine(_data.Root, "demo");
        var result = HostProcess.Run("-File", Path.Combine(Repo.Root, "examples", "demo.ps1"), "-Directory", folder);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var today = DateTime.UtcNow.Date;
        var expectedSafe = new[] { "level2", "ticker" }
            .SelectMany(s => new[] { 3, 2, 1 }.Select(d => $"{s}_{today.AddDays(-d):yyyyMMdd}.jsonl")).ToArray();
        var safeStart = result.Stdout.IndexOf("Safe to convert", StringComparison.Ordinal);
        var safeSection = result.Stdout[safeStart..result.Stdout.IndexOf("The nightly job", StringComparison.Ordinal)]
            .Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        Assert.Equal(expectedSafe, safeSection);
        Assert.Matches($@"True\s+\{{Latest, RecentlyModified, OpenForWrite\}}.*level2_{today:yyyyMMdd}\.jsonl", result.Stdout);
        Assert.Matches($@"True\s+\{{Latest, TornTail\}}.*ticker_{today:yyyyMMdd}\.jsonl", result.Stdout);
        Assert.Matches(@"True\s+\{TempName\}.*temp_vendor_drop\.csv", result.Stdout);
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(result.Stdout, @"(?m)^Converted\s+1\s+0\s+False").Count);
        Assert.Matches($@"(?m)^Skipped\s+0\s+0\s+True.*ticker_{today:yyyyMMdd}\.jsonl\s+active: Latest, TornTail", result.Stdout);
        Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(result.Stdout, @"(?m)^True\s+1\s+1\s").Count);
        Assert.Equal(6L, DuckDb.Scalar($"select count(*) from {DuckDb.Dataset(Path.Combine(folder, "dataset"))}"));
        Assert.Contains("PROGRESS: Convert-JsonlToParquet: ", result.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+1 Stopped\s+[\d,]+\s+[\d,]+\s+0\s+0\s+0 .*demo \(300/s, seed 42\)", result.Stdout);
        Assert.Matches(@"(?m)^level2\s+100\.0\s", result.Stdout);
    }

    [Fact]
    public void The_nightly_example_converts_completed_files_checks_them_and_fails_on_a_failed_source()
    {
        var script = Path.Combine(Repo.Root, "examples", "nightly-convert.ps1");
        var dataset = Path.Combine(_data.Root, "..", Path.GetFileName(_data.Root) + "-nightly");
        try
        {
            var first = HostProcess.Run("-File", script, "-Source", _data.Root, "-Destination", dataset, "-MaxBadLines", "0");
            _data.Write("broken_20251101.jsonl", "{\"a\":1}\nnot json\n");
            _data.Write("broken_20251102.jsonl", "{\"a\":1}\n");
            var second = HostProcess.Run("-File", script, "-Source", _data.Root, "-Destination", dataset, "-MaxBadLines", "0");

            Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
            Assert.Contains("converted 3 file(s), 3 rows; up to date 0; skipped as active 4; failed 0; damaged outputs 0", first.Stdout, StringComparison.Ordinal);
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("converted 0 file(s), 0 rows; up to date 3; skipped as active 5; failed 1", second.Stdout, StringComparison.Ordinal);
            Assert.Contains("FAILED " + _data.PathOf("broken_20251101.jsonl") + ": more than 0 bad lines", second.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dataset, recursive: true);
        }
    }

    [Fact]
    public void The_demo_refuses_a_folder_that_is_not_empty()
    {
        var result = HostProcess.Run("-File", Path.Combine(Repo.Root, "examples", "demo.ps1"), "-Directory", _data.Root);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not empty", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(SampleData.TopLevelFileCount, Directory.GetFiles(_data.Root).Length);
    }

    [Fact]
    public void Progress_and_warnings_go_to_stderr_as_lines_when_stderr_is_not_a_terminal()
    {
        var big = FolderOf(1500);

        var result = HostProcess.Run("-Command", $$"""
            function Test-Warning { [CmdletBinding()] param() $PSCmdlet.WriteWarning('disk nearly full') }
            Test-Warning
            $n = 0; Test-FileActive -LiteralPath '{{big}}' | ForEach-Object { $n++ }; "n=$n"
            """);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("n=1500", result.Stdout.Trim());
        Assert.Contains("WARNING: disk nearly full", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("PROGRESS: Test-FileActive: Inspected 1,500 files", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ProgressPreference_silences_progress()
    {
        var big = FolderOf(1500);

        var silenced = HostProcess.Run("-Command", $"$ProgressPreference = 'SilentlyContinue'; $null = Test-FileActive -LiteralPath '{big}'");
        var shown = HostProcess.Run("-Command", $"$null = Test-FileActive -LiteralPath '{big}'");

        Assert.Equal(0, silenced.ExitCode);
        Assert.DoesNotContain("PROGRESS", silenced.Stderr, StringComparison.Ordinal);
        Assert.Contains("PROGRESS", shown.Stderr, StringComparison.Ordinal);
    }

    private string FolderOf(int files)
    {
        var folder = Path.Combine(_data.Root, $"folder-{files}");
        Directory.CreateDirectory(folder);
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Combine(folder, $"f{i}.txt"), "x\n");
        }

        return folder;
    }

    [Fact]
    public void A_bad_command_line_is_a_usage_error()
    {
        Assert.Equal(64, HostProcess.Run("-Frobnicate").ExitCode);
        Assert.Equal(64, HostProcess.Run("-File", "/nonexistent/script.ps1").ExitCode);
        Assert.Equal(0, HostProcess.Run("-Help").ExitCode);
    }

    [Theory]
    [InlineData("TERM", 0)]
    [InlineData("INT", 130)]
    public void A_signal_stops_the_running_pipeline_cleanly_and_finally_blocks_run(string signal, int expectedExit)
    {
        var marker = Path.Combine(_data.Root, "cleaned-" + signal);
        var script = Script("long.ps1", $$"""
            try {
                'ready'
                while ($true) { [System.Threading.Thread]::Sleep(50) }
            }
            finally {
                [System.IO.File]::WriteAllText('{{marker}}', 'cleaned')
            }
            """);
        using var host = HostProcess.Start(["-File", script]);
        Assert.True(host.WaitForLine("ready"), "the script did not start");

        host.Signal(signal);
        var result = host.WaitForExit();

        Assert.Equal(expectedExit, result.ExitCode);
        Assert.Equal("cleaned", File.ReadAllText(marker));
    }

    [Fact]
    public void A_signal_during_a_stability_wait_stops_Test_FileActive()
    {
        using var host = HostProcess.Start(["-Command", $"'ready'; Test-FileActive -LiteralPath '{_data.Root}' -StabilityWindow 1h"]);
        Assert.True(host.WaitForLine("ready"));
        Thread.Sleep(500); // let the command reach its wait; a signal before that stops it just the same

        host.Signal("TERM");

        Assert.Equal(0, host.WaitForExit().ExitCode);
    }
}
