using System.Text.Json;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>Start/Get/Stop/Wait-Collector and Test-DataContinuity, as typed in a session.</summary>
public sealed class CollectorCmdletTests : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "collector-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _ps.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static object? Stat(System.Management.Automation.PSObject collector, string name) => collector.Properties[name].Value;

    [Fact]
    public void Pipeline_objects_become_one_json_line_each_and_the_collector_reports_them_flushed()
    {
        var result = _ps.Run("""
            1..250 | ForEach-Object { [pscustomobject]@{ type = 'reading'; n = $_; at = [datetime]::SpecifyKind([datetime]'2026-01-02T03:04:05', 'Utc'); tags = @('a', 'b'); nested = @{ ok = $true } } } |
                Start-Collector -Directory $d -Stream readings -FlushCount 100
            """, ("d", _dir));

        Assert.Empty(result.Errors);
        var collector = Assert.Single(result.Output);
        Assert.Equal("Stopped", collector.Properties["State"].Value.ToString());
        Assert.Equal(250L, Stat(collector, "Flushed"));
        var lines = File.ReadAllLines(Directory.GetFiles(_dir, "readings_*.jsonl").Single());
        Assert.Equal(250, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(1, first.GetProperty("n").GetInt32());
        Assert.Equal("2026-01-02T03:04:05Z", first.GetProperty("at").GetString());
        Assert.Equal("b", first.GetProperty("tags")[1].GetString());
        Assert.True(first.GetProperty("nested").GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void A_started_collector_runs_in_the_background_until_Stop_Collector_flushes_and_reports()
    {
        var started = _ps.Run("Start-Collector -Demo -Rate 2000 -Seed 3 -Directory $d -FlushInterval 200ms", ("d", _dir));
        var id = (int)started.Output.Single().Properties["Id"].Value;
        var stateWhenListed = _ps.Run("(Get-Collector -Id $i).State.ToString()", ("i", id)).Strings.Single(); // the object is live: read now
        Thread.Sleep(800);
        var stopped = _ps.Run("Get-Collector -Id $i | Stop-Collector -PassThru", ("i", id));
        var waited = _ps.Run("Wait-Collector -Id $i -Timeout 5s", ("i", id));
        var missing = _ps.Run("Get-Collector -Id 99999");

        Assert.Equal("Running", stateWhenListed);
        var report = stopped.Output.Single();
        Assert.Equal("Stopped", report.Properties["State"].Value.ToString());
        var flushed = (long)Stat(report, "Flushed")!;
        Assert.True(flushed > 100);
        Assert.Equal(flushed, Directory.GetFiles(_dir, "*.jsonl").Sum(f => (long)File.ReadAllLines(f).Length));
        Assert.Single(waited.Output);
        Assert.Equal("CollectorNotFound,PipelineOps.Commands.GetCollectorCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Remove_Module_stops_the_collectors_this_session_started_and_frees_their_destination()
    {
        var started = _ps.Run("Start-Collector -Demo -Rate 2000 -Seed 3 -Directory $d -FlushInterval 200ms", ("d", _dir));
        var id = (int)started.Output.Single().Properties["Id"].Value;
        Thread.Sleep(500);
        var removed = _ps.Run("""
            $manifest = Join-Path (Get-Module PipelineOps).ModuleBase PipelineOps.psd1
            Remove-Module PipelineOps
            Import-Module $manifest
            (Get-Collector -Id $i).State.ToString()
            """, ("i", id));
        var lengths = Lengths();
        Thread.Sleep(700);
        var lengthsLater = Lengths();
        var again = _ps.Run("Start-Collector -Demo -Rate 500 -Seed 4 -Directory $d -Duration 1s -Wait", ("d", _dir));

        Assert.Empty(removed.Errors);
        Assert.Equal("Stopped", removed.Strings.Single());
        Assert.Equal(lengths, lengthsLater); // nothing written after the removal returned
        Assert.All(Directory.GetFiles(_dir, "*.jsonl"), f => Assert.EndsWith("\n", File.ReadAllText(f), StringComparison.Ordinal));
        Assert.Empty(again.Errors); // the destination's stream lock was given back
        Assert.Equal("Stopped", again.Output.Single().Properties["State"].Value.ToString());

        string Lengths() => string.Join(',', Directory.GetFiles(_dir, "*.jsonl").Order().Select(f => new FileInfo(f).Length));
    }

    [Fact]
    public void Unsupported_uris_and_bad_durations_are_refused_by_name()
    {
        var ftp = _ps.Run("Start-Collector -Uri ftp://example.com/feed -Directory $d", ("d", _dir));
        var flush = _ps.Run("Start-Collector -Demo -Directory $d -FlushInterval 0s", ("d", _dir));

        Assert.StartsWith("UnsupportedUri,", Assert.Single(ftp.Errors).FullyQualifiedErrorId);
        Assert.StartsWith("NegativeDuration,", Assert.Single(flush.Errors).FullyQualifiedErrorId);
        Assert.False(Directory.Exists(_dir));
    }

    [Fact]
    public void Test_DataContinuity_reports_gaps_per_product_and_bad_lines_with_file_and_line()
    {
        Directory.CreateDirectory(_dir);
        var lines = Enumerable.Range(0, 60).Where(m => m is < 10 or >= 40)
            .Select(m => $"{{\"type\":\"ticker\",\"product_id\":\"BTC-USD\",\"time\":\"2025-11-14T10:{m:00}:00Z\"}}").Append("oops");
        File.WriteAllLines(Path.Combine(_dir, "ticker_20251114.jsonl"), lines);

        var result = _ps.Run("Test-DataContinuity -Path $d -GapThreshold 5m", ("d", _dir));

        var report = Assert.Single(result.Output);
        Assert.Equal(1L, report.Properties["GapCount"].Value);
        Assert.Equal(TimeSpan.FromMinutes(31), report.Properties["GapTime"].Value);
        Assert.Equal(1L, report.Properties["BadLines"].Value);
        Assert.Contains(result.Warnings, w => w.Message.Contains("ticker_20251114.jsonl, line 31", StringComparison.Ordinal));
    }
}
