using System.Globalization;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>The scheduler cmdlets as users type them, in the real engine with the staged module, over a SQLite store
/// in a temporary folder.</summary>
public sealed class SchedulerCmdletTests : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly string _root = Directory.CreateTempSubdirectory("pipelineops-scheduler-").FullName;

    private string StorePath => Path.Combine(_root, "scheduler.db");

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private PowerShellResult Run(string script) => _ps.Run(script, ("store", StorePath), ("root", _root));

    private static string ErrorId(PowerShellResult result) => Assert.Single(result.Errors).FullyQualifiedErrorId.Split(',')[0];

    /// <summary>The id of the one error a script statement ended with (a cmdlet's terminating error ends only its
    /// statement, as in a user's script).</summary>
    private string ThrownId(string script) => ErrorId(Run(script));

    private static void AssertSucceeded(System.Management.Automation.PSObject run) =>
        Assert.True(run.Properties["Status"].Value.ToString() == "Succeeded", string.Join("\n", (IEnumerable<string>)run.Properties["Errors"].Value));

    [Fact]
    public void A_daily_job_is_registered_in_its_zone_and_listed_with_its_next_run()
    {
        Run("Register-PipelineJob nightly -At 00:05 -TimeZone Europe/London -ScriptBlock { 'x' } -StorePath $store -Description 'the nightly'");
        var job = Run("Get-PipelineJob -StorePath $store").Output.Single();

        Assert.Equal("nightly", job.Properties["Name"].Value);
        Assert.Equal("Normal", job.Properties["State"].Value);
        Assert.Equal("daily 00:05", job.Properties["Schedule"].Value);
        Assert.Equal("Europe/London", job.Properties["TimeZone"].Value);
        var next = (DateTimeOffset)System.Management.Automation.PSObject.AsPSObject(job.Properties["NextRunTime"].Value).BaseObject;
        Assert.Equal(new TimeSpan(0, 5, 0), next.TimeOfDay);
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/London").GetUtcOffset(next), next.Offset);
    }

    [Fact]
    public void Bad_cron_unknown_zone_duplicate_name_typo_and_missing_store_are_clear_errors()
    {
        Run("Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store");

        Assert.Equal("InvalidCron", ThrownId(("Register-PipelineJob b -Cron '61 * * * *' -ScriptBlock { 1 } -StorePath $store")));
        Assert.Equal("UnknownTimeZone", ThrownId(("Register-PipelineJob b -At 00:05 -TimeZone Mars/Olympus -ScriptBlock { 1 } -StorePath $store")));
        Assert.Equal("JobAlreadyExists", ErrorId(Run("Register-PipelineJob a -At 00:05 -ScriptBlock { 1 } -StorePath $store")));
        Assert.Equal("UnknownJobParameter", ThrownId(("Register-PipelineJob c -At 00:05 -Convert @{ Path = '.'; Destinaton = './out' } -StorePath $store")));
        Assert.Equal("MissingJobParameter", ThrownId(("Register-PipelineJob c -At 00:05 -Convert @{ Path = '.' } -StorePath $store")));
        Assert.Equal("TriggerMissing", ThrownId(("Register-PipelineJob c -ScriptBlock { 1 } -StorePath $store")));
        Assert.Equal("StoreNotFound", ThrownId("Get-PipelineJob -StorePath \"$root/nothing.db\""));

        // -Force replaces.
        Run("Register-PipelineJob a -At 00:05 -ScriptBlock { 1 } -StorePath $store -Force");
        Assert.Equal("daily 00:05", Run("(Get-PipelineJob a -StorePath $store).Schedule").Strings.Single());
    }

    [Fact]
    public void Unregister_asks_first_and_WhatIf_changes_nothing()
    {
        Run("Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store");
        Run("Unregister-PipelineJob a -StorePath $store -WhatIf");
        Assert.Single(Run("Get-PipelineJob -StorePath $store").Output);

        Run("Disable-PipelineJob a -StorePath $store");
        Assert.Equal("Paused", Run("(Get-PipelineJob a -StorePath $store).State").Strings.Single());
        Run("Get-PipelineJob a -StorePath $store | Enable-PipelineJob -StorePath $store");
        Assert.Equal("Normal", Run("(Get-PipelineJob a -StorePath $store).State").Strings.Single());

        Run("Unregister-PipelineJob a -StorePath $store -Confirm:$false");
        Assert.Empty(Run("Get-PipelineJob -StorePath $store").Output);
        Assert.Equal("JobNotFound", ErrorId(Run("Invoke-PipelineJob a -StorePath $store")));
    }

    [Fact]
    public void Invoke_runs_a_script_in_a_fresh_runspace_and_keeps_output_errors_and_warnings()
    {
        Run("""
            $leak = 'not visible in the job'
            Register-PipelineJob ok -Once -At '2099-01-01 00:00' -StorePath $store -ScriptBlock {
                [CmdletBinding()] param($greeting) "$greeting from a job"; $PSCmdlet.WriteWarning('mind the gap'); "leak=[$leak]"; (Get-Command Test-FileActive).Name
            } -ArgumentList hello
            Register-PipelineJob bad -Every 1h -StorePath $store -ScriptBlock { throw 'the source is gone' }
            """);

        var ok = Run("Invoke-PipelineJob ok -StorePath $store").Output.Single();
        AssertSucceeded(ok);
        var output = (string)ok.Properties["Output"].Value;
        Assert.Contains("hello from a job", output);
        Assert.Contains("leak=[]", output);
        Assert.Contains("Test-FileActive", output);
        Assert.Contains("mind the gap", (IEnumerable<string>)ok.Properties["Warnings"].Value);

        var bad = Run("Invoke-PipelineJob bad -StorePath $store -WarningAction SilentlyContinue").Output.Single();
        Assert.Equal("Failed", bad.Properties["Status"].Value.ToString());
        Assert.Contains("the source is gone", string.Join("\n", (IEnumerable<string>)bad.Properties["Errors"].Value));

        var history = Run("Get-PipelineJobHistory -StorePath $store -Status Failed").Output;
        Assert.Equal("bad", Assert.Single(history).Properties["Job"].Value);
        Assert.Equal("Manual", history[0].Properties["Trigger"].Value);
    }

    [Fact]
    public void A_convert_job_converts_with_the_parameters_given_at_registration()
    {
        var raw = Directory.CreateDirectory(Path.Combine(_root, "raw")).FullName;
        for (var day = 1; day <= 3; day++)
        {
            var file = Path.Combine(raw, $"ticker_2025111{day}.jsonl");
            File.WriteAllLines(file, Enumerable.Range(0, 100).Select(i =>
                $$"""{"type":"ticker","seq":{{day * 1000 + i}},"time":"2025-11-1{{day}}T00:00:{{i % 60:00}}.000000Z"}"""));
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        // Relative paths are made absolute at registration; the job runs wherever the scheduler runs.
        Run("$ExecutionContext.SessionState.Path.SetLocation($root) | Out-Null; Register-PipelineJob convert -At 00:05 -Convert @{ Path = './raw'; Destination = './dataset'; IncludeLatest = $true } -StorePath $store");
        Run("$ExecutionContext.SessionState.Path.SetLocation('/') | Out-Null");
        var run = Run("Invoke-PipelineJob convert -StorePath $store").Output.Single();
        AssertSucceeded(run);
        Assert.Equal(3L, run.Properties["Items"].Value);
        Assert.Equal(300L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Dataset(Path.Combine(_root, "dataset"))}"), CultureInfo.InvariantCulture));

        // Again: the ledger says everything is up to date, nothing is converted twice.
        var again = Run("Invoke-PipelineJob convert -StorePath $store").Output.Single();
        Assert.Equal(0L, again.Properties["Items"].Value);
        Assert.Equal(300L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(DISTINCT seq) FROM {DuckDb.Dataset(Path.Combine(_root, "dataset"))}"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void The_nightly_preset_registers_the_conversion_and_the_sampler()
    {
        Run("Register-PipelineJob -Preset Nightly -Convert @{ Path = './raw'; Destination = './ds' } -Sample @{ Root = './data'; Vendor = 'sp'; Dataset = 'gics'; Version = '1.0' } -StorePath $store");
        var jobs = Run("Get-PipelineJob -StorePath $store | ForEach-Object { '{0} {1} {2}' -f $_.Name, $_.Action, $_.Schedule }").Strings.ToList();
        Assert.Equal(["Nightly-Convert Convert daily 00:05", "Nightly-Sample Sample every 00:05:00"], jobs);
    }

    [Fact]
    public void A_memory_scheduler_fires_jobs_and_stops_cleanly()
    {
        var marker = Path.Combine(_root, "fired.txt");
        Run($"Register-PipelineJob tick -Every 1s -Store Memory -ScriptBlock {{ [IO.File]::AppendAllText('{marker}', 'x') }}");
        var started = Run("Start-PipelineScheduler -Store Memory").Output.Single();
        Assert.True((bool)started.Properties["IsRunning"].Value);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(marker) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }

        Assert.NotEmpty(Run("Get-PipelineScheduler").Output);
        Run("Stop-PipelineScheduler -Store Memory");
        Assert.True(File.Exists(marker));
        Run("Unregister-PipelineJob tick -Store Memory -Confirm:$false");
    }

    [Fact]
    public void A_job_sees_its_run_as_PipelineJobRun()
    {
        Run("Register-PipelineJob who -Every 1h -StorePath $store -ScriptBlock { '{0}|{1}|{2}' -f $PipelineJobRun.Job, $PipelineJobRun.Trigger, ($PipelineJobRun.Node -split ':')[1] }");
        var run = Run("Invoke-PipelineJob who -StorePath $store").Output.Single();
        AssertSucceeded(run);
        Assert.Equal($"who|Manual|{Environment.ProcessId}", ((string)run.Properties["Output"].Value).Trim());
    }

    [Fact]
    public void Reading_history_changes_nothing_and_Clear_PipelineJobHistory_deletes_what_it_names_after_asking()
    {
        Run("""
            Register-PipelineJob a -Every 1h -StorePath $store -ScriptBlock { 'a' }
            Register-PipelineJob b -Every 1h -StorePath $store -ScriptBlock { 'b' }
            1..2 | ForEach-Object { Invoke-PipelineJob a -StorePath $store | Out-Null }
            Invoke-PipelineJob b -StorePath $store | Out-Null
            """);
        Assert.DoesNotContain("Retention", Run("(Get-Command Get-PipelineJobHistory).Parameters.Keys").Strings);
        Assert.Equal(3, Run("Get-PipelineJobHistory -StorePath $store").Output.Count);
        Assert.Equal(3, Run("Get-PipelineJobHistory -StorePath $store").Output.Count);

        // Runs that ended a moment ago are not older than a day (an unquoted 1d, which PowerShell reads as the decimal 1,
        // is a day, not a second); -WhatIf deletes nothing.
        Run("Clear-PipelineJobHistory -OlderThan 1d -StorePath $store -Confirm:$false");
        Run("Clear-PipelineJobHistory a -StorePath $store -WhatIf");
        Assert.Equal(3, Run("Get-PipelineJobHistory -StorePath $store").Output.Count);

        var cleared = Run("Get-PipelineJob a -StorePath $store | Clear-PipelineJobHistory -StorePath $store -Confirm:$false -Verbose -PassThru");
        Assert.Contains("Deleted 2 run(s) of a.", cleared.Verbose.Select(v => v.Message));
        Assert.Equal(["a", "a"], cleared.Output.Select(r => (string)r.Properties["Job"].Value));
        Assert.Equal(["b"], Run("Get-PipelineJobHistory -StorePath $store | ForEach-Object Job").Strings);
        Run("Clear-PipelineJobHistory -OlderThan 0 -StorePath $store -Confirm:$false");
        Assert.Empty(Run("Get-PipelineJobHistory -StorePath $store").Output);
        Assert.Equal(2, Run("Get-PipelineJob -StorePath $store").Output.Count);
        Assert.Equal("OlderThanNegative", ThrownId("Clear-PipelineJobHistory -OlderThan (New-TimeSpan -Hours -1) -StorePath $store -Confirm:$false"));
        Assert.Equal("RetentionNotPositive", ThrownId("Start-PipelineScheduler -Store Memory -Retention 0"));
        Run("Register-PipelineJob daily -Every 1d -StorePath $store -ScriptBlock { 1 }");
        Assert.Equal("every 1.00:00:00", Run("(Get-PipelineJob daily -StorePath $store).Schedule").Strings.Single());
    }
}
