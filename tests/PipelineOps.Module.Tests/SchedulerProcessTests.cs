using System.Globalization;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;
using Xunit.Abstractions;

namespace PipelineOps.Module.Tests;

/// <summary>The scheduler across real pipelineops processes over one SQLite store: jobs registered by one process
/// are fired by another; a scheduler killed with SIGKILL mid-run has the run marked and recovered on restart, and
/// nothing is converted twice (checked with DuckDB).</summary>
public sealed class SchedulerProcessTests : IDisposable
{
    private readonly ITestOutputHelper _log;
    private readonly string _root = Directory.CreateTempSubdirectory("pipelineops-scheduler-proc-").FullName;

    public SchedulerProcessTests(ITestOutputHelper log) => _log = log;

    private string StorePath => Path.Combine(_root, "scheduler.db");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private HostResult Host(string command)
    {
        var result = HostProcess.Run("-Command", command);
        _log.WriteLine($"$ {command}\n{result.Stdout}{result.Stderr}");
        return result;
    }

    private HostProcess Scheduler() => HostProcess.Start(["-Command", $"Start-PipelineScheduler -StorePath '{StorePath}' -Wait"]);

    private static void WaitFor(Func<bool> condition, string what)
    {
        // A safety net for a stuck process, not a timing assertion: the wait ends as soon as the condition holds.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Sleep(250);
        }
    }

    private string History(string status) =>
        Host($"Get-PipelineJobHistory -StorePath '{StorePath}' -Status {status} | ForEach-Object {{ '{{0}}|{{1}}|{{2}}' -f $_.Job, $_.Trigger, $_.Node }}").Stdout;

    [Fact]
    public void A_job_registered_in_one_process_fires_in_another_and_a_clean_stop_writes_its_history()
    {
        var marker = Path.Combine(_root, "fired.txt");
        Assert.Equal(0, Host($"Register-PipelineJob tick -Every 1s -StorePath '{StorePath}' -ScriptBlock {{ param($f) [IO.File]::AppendAllText($f, \"$PID`n\") }} -ArgumentList '{marker}' | Out-Null").ExitCode);

        using (var scheduler = Scheduler())
        {
            WaitFor(() => File.Exists(marker) && File.ReadAllLines(marker).Length >= 2, "two firings");
            WaitFor(() => History("Succeeded").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 2, "two records");
            scheduler.Signal("TERM");
            Assert.True(scheduler.WaitForExitOrTimeout(TimeSpan.FromSeconds(60)));
            Assert.Equal(0, scheduler.WaitForExit().ExitCode);
            var succeeded = History("Succeeded").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(succeeded.Length >= 2);
            Assert.All(succeeded, line => Assert.EndsWith(":" + scheduler.Id.ToString(CultureInfo.InvariantCulture), line.Trim()));
        }

        Assert.Empty(History("Running").Trim());
    }

    [Fact]
    public void A_scheduler_killed_mid_run_has_the_run_marked_and_recovered_and_nothing_is_converted_twice()
    {
        var raw = Directory.CreateDirectory(Path.Combine(_root, "raw")).FullName;
        var dataset = Path.Combine(_root, "dataset");
        for (var day = 1; day <= 3; day++)
        {
            var file = Path.Combine(raw, $"ticker_2025111{day}.jsonl");
            File.WriteAllLines(file, Enumerable.Range(0, 200).Select(i =>
                $$"""{"type":"ticker","seq":{{day * 1000 + i}},"time":"2025-11-1{{day}}T00:{{i / 60:00}}:{{i % 60:00}}.000000Z"}"""));
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        // The job converts, then (first attempt only: while the hold file exists) stays busy so it can be killed mid-run.
        var hold = Path.Combine(_root, "hold");
        var started = Path.Combine(_root, "started");
        var done = Path.Combine(_root, "done");
        File.WriteAllText(hold, "");
        Assert.Equal(0, Host($$"""
            Register-PipelineJob convert -Once -StorePath '{{StorePath}}' -ScriptBlock {
                param($raw, $dataset, $hold, $started, $done)
                Convert-JsonlToParquet -LiteralPath $raw -Destination $dataset -IncludeLatest | Out-Null
                [IO.File]::WriteAllText($started, "$PID")
                while ([IO.File]::Exists($hold)) { [Threading.Thread]::Sleep(100) }
                [IO.File]::WriteAllText($done, "$PID")
            } -ArgumentList '{{raw}}', '{{dataset}}', '{{hold}}', '{{started}}', '{{done}}' | Out-Null
            """).ExitCode);

        using (var first = Scheduler())
        {
            WaitFor(() => File.Exists(started), "the first attempt to convert");
            first.KillHard();
        }

        File.Delete(hold);
        File.Delete(started);
        using (var second = Scheduler())
        {
            WaitFor(() => File.Exists(done), "the recovered run to finish");
            WaitFor(() => History("Succeeded").Contains("convert|Recovered", StringComparison.Ordinal), "the recovered run's record");
            second.Signal("TERM");
            second.WaitForExit();
        }

        Assert.Contains("convert|Scheduled", History("Interrupted"), StringComparison.Ordinal);
        Assert.Equal(600L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Dataset(dataset)}"), CultureInfo.InvariantCulture));
        Assert.Equal(600L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(DISTINCT seq) FROM {DuckDb.Dataset(dataset)}"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Remove_Module_stops_the_scheduler_this_session_started_but_a_jobs_own_Remove_Module_does_not()
    {
        var started = Path.Combine(_root, "long-started");
        var result = Host($$"""
            $manifest = Join-Path (Get-Module PipelineOps).ModuleBase PipelineOps.psd1
            Register-PipelineJob inner -Once -StorePath '{{StorePath}}' -ScriptBlock { Remove-Module PipelineOps; 'removed in the job' } | Out-Null
            $null = Start-PipelineScheduler -StorePath '{{StorePath}}'
            while (-not (Get-PipelineJobHistory inner -StorePath '{{StorePath}}' -Status Succeeded)) { Start-Sleep -Milliseconds 100 }
            'after the job: ' + (Get-PipelineScheduler).IsRunning
            Register-PipelineJob long -Once -StorePath '{{StorePath}}' -ScriptBlock { [IO.File]::WriteAllText('{{started}}', 'x'); Start-Sleep -Seconds 600 } | Out-Null
            while (-not (Test-Path '{{started}}')) { Start-Sleep -Milliseconds 100 }
            Remove-Module PipelineOps
            Import-Module $manifest
            'schedulers after Remove-Module: ' + @(Get-PipelineScheduler).Count
            'long: ' + (Get-PipelineJobHistory long -StorePath '{{StorePath}}').Status
            """);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("after the job: True", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("schedulers after Remove-Module: 0", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("long: Interrupted", result.Stdout, StringComparison.Ordinal);
    }
}
