using System.Management.Automation;
using System.Text.Json;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

/// <summary>
/// What a newcomer tripped over, as typed in a session: safe defaults, objects that filter, pipe and export cleanly,
/// progress that informs, help and completion. tests/Usability.Tests.ps1 covers the same in real pwsh.
/// </summary>
public sealed class UsabilityTests : IDisposable
{
    private static readonly DateTime LongAgo = DateTime.UtcNow.AddDays(-8);
    private readonly PowerShellSession _ps = new();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "usability-" + Guid.NewGuid().ToString("N"));

    public UsabilityTests()
    {
        Directory.CreateDirectory(_dir);
        // The hosted engine has only the core cmdlets; users have Microsoft.PowerShell.Utility (ConvertTo-Json, Export-Csv...).
        _ps.Run("Import-Module -Assembly ([System.Reflection.Assembly]::Load('Microsoft.PowerShell.Commands.Utility'))");
    }

    public void Dispose()
    {
        _ps.Run("Get-Collector | Remove-Collector -Force");
        _ps.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Write(string relative, string text, DateTime? mtime = null)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, mtime ?? LongAgo);
        return path;
    }

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void Start_Collector_without_a_source_refuses_and_writes_nothing()
    {
        var data = Path.Combine(_dir, "data");

        var bare = _ps.Run("Start-Collector -Directory $d", ("d", data));

        var error = Assert.Single(bare.Errors);
        Assert.Equal("SourceRequired,PipelineOps.Commands.StartCollectorCommand", error.FullyQualifiedErrorId);
        Assert.Contains("-Demo", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(bare.Output);
        Assert.False(Directory.Exists(data));
        Assert.Empty(_ps.Run("Get-Collector").Output);
    }

    [Fact]
    public void The_collector_is_a_plain_object_with_top_level_counters_and_job_like_lifecycle()
    {
        var demo = Path.Combine(_dir, "demo");
        var id = (int)_ps.Run("(Start-Collector -Demo -Rate 2000 -Seed 1 -Directory $d -FlushInterval 100ms).Id", ("d", demo)).Output.Single().BaseObject;
        Thread.Sleep(600);

        var busy = _ps.Run("Get-Collector -State Running | Where-Object Received -gt 0 | ForEach-Object Id");
        var members = _ps.Run("Get-Collector -Id $i | Get-Member -MemberType Method | ForEach-Object Name", ("i", id)).Strings.ToList();
        var stopSilent = _ps.Run("Stop-Collector -Id $i", ("i", id));
        var json = _ps.Run("Get-Collector -Id $i | ConvertTo-Json", ("i", id));
        var csv = _ps.Run("Get-Collector -Id $i | ConvertTo-Csv", ("i", id)).Strings.ToList();
        var passThru = _ps.Run("Stop-Collector -Id $i -PassThru", ("i", id));
        var stopped = _ps.Run("(Get-Collector -State Stopped).Id");
        _ps.Run("Get-Collector -State Stopped | Remove-Collector");
        var after = _ps.Run("Get-Collector -Id $i", ("i", id));

        Assert.Contains(id, busy.Output.Select(o => (int)o.BaseObject));
        Assert.Equal(["Equals", "GetHashCode", "GetType", "ToString"], members.Order());
        Assert.Empty(stopSilent.Output);
        Assert.Empty(json.Warnings); // no depth warning: nothing nested deeper than ConvertTo-Json's default
        var parsed = JsonDocument.Parse(json.Strings.Single()).RootElement;
        Assert.Equal("Stopped", parsed.GetProperty("State").GetString());
        Assert.True(parsed.GetProperty("Flushed").GetInt64() > 0);
        Assert.Equal(parsed.GetProperty("Received").GetInt64(), parsed.GetProperty("Flushed").GetInt64());
        Assert.EndsWith("Z", parsed.GetProperty("StoppedUtc").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Array, parsed.GetProperty("Files").ValueKind);
        Assert.DoesNotContain(csv, line => line.Contains("System.", StringComparison.Ordinal) || line.Contains("`1", StringComparison.Ordinal));
        Assert.Contains("\"Stopped\"", csv[1], StringComparison.Ordinal);
        Assert.Equal("Stopped", Prop(Assert.Single(passThru.Output), "State"));
        Assert.Contains(id, stopped.Output.Select(o => (int)o.BaseObject));
        Assert.Equal("CollectorNotFound,PipelineOps.Commands.GetCollectorCommand", Assert.Single(after.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Remove_Collector_refuses_a_running_collector_without_Force()
    {
        var id = (int)_ps.Run("(Start-Collector -Demo -Rate 100 -Directory $d).Id", ("d", Path.Combine(_dir, "demo"))).Output.Single().BaseObject;

        var refused = _ps.Run("Remove-Collector -Id $i", ("i", id));
        var forced = _ps.Run("Remove-Collector -Id $i -Force; Get-Collector -Id $i -ErrorAction SilentlyContinue", ("i", id));

        Assert.Equal("CollectorRunning,PipelineOps.Commands.RemoveCollectorCommand", Assert.Single(refused.Errors).FullyQualifiedErrorId);
        Assert.Empty(forced.Output);
    }

    [Fact]
    public void Ctrl_C_ending_a_Wait_run_prints_a_one_line_summary()
    {
        var demo = Path.Combine(_dir, "demo_data");
        using var host = HostProcess.Start(["-Command", $"'ready'; Start-Collector -Demo -Rate 200 -Directory '{demo}' -Wait"]);
        Assert.True(host.WaitForLine("ready"), "the command did not start");
        Thread.Sleep(1000); // let it collect something; a signal before that stops it just the same

        host.Signal("INT");
        var result = host.WaitForExit();

        Assert.Equal(130, result.ExitCode);
        Assert.Matches(@"Collector \d+ stopped: [\d,]+ received, [\d,]+ flushed \([\d,]+ bytes\), \d+ dropped, \d+ rejected, \d+ reconnects, \d+ errors -> ",
            result.Stdout + result.Stderr);
    }

    [Fact]
    public void Tab_completion_offers_collector_ids_and_time_zones()
    {
        var id = (int)_ps.Run("(Start-Collector -Demo -Rate 10 -Directory $d).Id", ("d", Path.Combine(_dir, "demo"))).Output.Single().BaseObject;

        var ids = _ps.Run("(TabExpansion2 -inputScript 'Stop-Collector -Id ' -cursorColumn 19).CompletionMatches.CompletionText").Strings;
        var zones = _ps.Run("(TabExpansion2 -inputScript 'Start-Collector -TimeZone Europe/Berl' -cursorColumn 37).CompletionMatches.CompletionText").Strings;

        Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), ids);
        Assert.Contains("Europe/Berlin", zones);
    }

    [Fact]
    public void Every_reason_filters_the_same_way_and_the_skip_reason_names_the_switch()
    {
        var only = Write("raw/only_20251101.jsonl", "{\"time\":\"2025-11-01T00:00:00Z\"}\n");
        Write("raw/torn_20251101.jsonl", "{\"time\":\"2025-11-01T00:00:00Z\"}\n");
        Write("raw/torn_20251102.jsonl", "{\"time\":\"2025-11-02T00:00:00Z\"}\n{\"ti", DateTime.UtcNow.AddDays(-2));

        var latest = _ps.Run("Test-FileActive -LiteralPath $f | Where-Object { $_.Reasons -eq 'Latest' } | ForEach-Object Name", ("f", only));
        var converted = _ps.Run("Convert-JsonlToParquet -LiteralPath $f, $t -Destination $d | ForEach-Object { $_.Name + '|' + $_.Status + '|' + $_.Reason }",
            ("f", only), ("t", Path.Combine(_dir, "raw", "torn_20251102.jsonl")), ("d", Path.Combine(_dir, "ds")));

        Assert.Equal(["only_20251101.jsonl"], latest.Strings);
        Assert.Contains("only_20251101.jsonl|Skipped|active: Latest (-IncludeLatest would include it)", converted.Strings);
        Assert.Contains("torn_20251102.jsonl|Skipped|active: Latest, TornTail (-IncludeActive would include it)", converted.Strings);
    }

    [Fact]
    public void Unreadable_times_are_counted_and_a_type_filter_that_leaves_nothing_is_Skipped()
    {
        var raw = Write("raw/ticker_20251101.jsonl",
            "{\"type\":\"ticker\",\"time\":\"2025-11-01T10:00:00Z\"}\n{\"type\":\"ticker\",\"time\":\"not-a-time\"}\n{\"type\":\"ticker\"}\n");

        var converted = _ps.Run("Convert-JsonlToParquet -LiteralPath $f -Destination $d -IncludeLatest", ("f", raw), ("d", Path.Combine(_dir, "ds")));
        var filtered = _ps.Run("Convert-JsonlToParquet -LiteralPath $f -Destination $d -IncludeLatest -TypeFilter l2update", ("f", raw), ("d", Path.Combine(_dir, "ds2")));

        var result = Assert.Single(converted.Output);
        Assert.Equal(1L, result.Properties["BadTimes"].Value);
        Assert.Contains("1 record(s) with an unreadable 'time' filed under the file name's date 2025-11-01", Prop(result, "Reason"), StringComparison.Ordinal);
        Assert.Contains(converted.Warnings, w => w.Message.Contains("not a time", StringComparison.Ordinal) && w.Message.Contains(raw, StringComparison.Ordinal));
        var skipped = Assert.Single(filtered.Output);
        Assert.Equal("Skipped", Prop(skipped, "Status"));
        Assert.Equal("all 3 record(s) were left out by -TypeFilter; nothing was written", Prop(skipped, "Reason"));
        Assert.Empty((System.Collections.IEnumerable)skipped.Properties["Outputs"].Value);
    }

    [Fact]
    public void Every_output_type_exports_enums_by_name_lists_joined_and_times_as_ISO_UTC()
    {
        var raw = Write("raw/env0/ticker_20251101.jsonl", "{\"type\":\"ticker\",\"time\":\"2025-11-01T10:00:00Z\"}\n");
        Write("raw/env0/ticker_20251102.jsonl", "{\"type\":\"ticker\",\"time\":\"2025-11-02T10:00:00Z\"}\n{\"ty", DateTime.UtcNow.AddDays(-2));
        var script = """
            $all = [ordered]@{
                FileActivity = Test-FileActive -LiteralPath $raw, $torn
                ConversionResult = Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest
                ParquetFileReport = Test-ParquetFile $ds -Recurse
                ContinuityReport = Test-DataContinuity -LiteralPath $raw
                BronzeTarget = ConvertTo-BronzePath -LiteralPath $raw -RawRoot $rawRoot -Root $root -Vendor v -Dataset d -Version 1
                PublishResult = Copy-ToBronze -LiteralPath $raw -RawRoot $rawRoot -Root $root -Vendor v -Dataset d -Version 1 -IncludeLatest
                ManifestEntry = Get-ManifestEntry -Root $root -Vendor v -Dataset d -Version 1
                SampleResult = New-DataSample -LiteralPath $raw -Destination $samples
            }
            foreach ($name in $all.Keys) {
                $json = $all[$name] | Select-Object -First 1 | ConvertTo-Json -WarningVariable depth -WarningAction SilentlyContinue
                $csv = ($all[$name] | Select-Object -First 1 | ConvertTo-Csv) -join "`n"
                [pscustomobject]@{ Name = $name; Json = $json; Csv = $csv; DepthWarnings = @($depth).Count }
            }
            """;

        var result = _ps.Run(script, ("raw", raw), ("torn", Path.Combine(_dir, "raw", "env0", "ticker_20251102.jsonl")),
            ("ds", Path.Combine(_dir, "ds")), ("rawRoot", Path.Combine(_dir, "raw")), ("root", Path.Combine(_dir, "data")),
            ("samples", Path.Combine(_dir, "samples")));

        Assert.Empty(result.Errors);
        var exports = result.Output.ToDictionary(o => Prop(o, "Name"));
        Assert.Equal(8, exports.Count);
        foreach (var (name, export) in exports)
        {
            Assert.True((int)export.Properties["DepthWarnings"].Value == 0, name + " warned about depth");
            var csv = Prop(export, "Csv");
            Assert.DoesNotContain("System.Collections", csv, StringComparison.Ordinal);
            Assert.DoesNotContain("`1", csv, StringComparison.Ordinal);
            JsonDocument.Parse(Prop(export, "Json"));
        }

        var activity = JsonDocument.Parse(Prop(exports["FileActivity"], "Json")).RootElement;
        Assert.Equal("Complete", activity.GetProperty("WriterCheck").GetString());
        Assert.Equal(JsonValueKind.Array, activity.GetProperty("Reasons").ValueKind);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", activity.GetProperty("LastWriteTimeUtc").GetString());
        Assert.Equal("Converted", JsonDocument.Parse(Prop(exports["ConversionResult"], "Json")).RootElement.GetProperty("Status").GetString());
        Assert.Equal("Copied", JsonDocument.Parse(Prop(exports["PublishResult"], "Json")).RootElement.GetProperty("Status").GetString());
        Assert.Equal("Sampled", JsonDocument.Parse(Prop(exports["SampleResult"], "Json")).RootElement.GetProperty("Status").GetString());
        Assert.Contains("date=2025-11-01", Prop(exports["ConversionResult"], "Csv"), StringComparison.Ordinal); // Outputs, joined
    }

    [Fact]
    public void Test_FileActive_exports_several_reasons_joined()
    {
        var torn = Write("raw/ticker_20251102.jsonl", "{\"ty", DateTime.UtcNow.AddDays(-2));

        var csv = _ps.Run("Test-FileActive -LiteralPath $f | ConvertTo-Csv | ConvertFrom-Csv | ForEach-Object Reasons", ("f", torn));
        var byTorn = _ps.Run("Test-FileActive -LiteralPath $f | Where-Object { $_.Reasons -eq 'TornTail' } | ForEach-Object Name", ("f", torn));

        Assert.Equal(["Latest, TornTail"], csv.Strings);
        Assert.Equal(["ticker_20251102.jsonl"], byTorn.Strings);
    }

    [Fact]
    public void Documented_pipes_bind_the_intended_input()
    {
        var raw = Write("raw/env0/ticker_20251101.jsonl", "{\"type\":\"ticker\",\"time\":\"2025-11-01T10:00:00Z\"}\n");

        var checkedFiles = _ps.Run("Convert-JsonlToParquet -LiteralPath $f -Destination $d -IncludeLatest | Test-ParquetFile -Deep",
            ("f", raw), ("d", Path.Combine(_dir, "ds")));
        var published = _ps.Run("ConvertTo-BronzePath -LiteralPath $f -RawRoot $rr -Root $root -Vendor v -Dataset d -Version 1 | " +
                                "Copy-ToBronze -RawRoot $rr -Root $root -Vendor v -Dataset d -Version 1 -IncludeLatest",
            ("f", raw), ("rr", Path.Combine(_dir, "raw")), ("root", Path.Combine(_dir, "data")));

        Assert.Empty(checkedFiles.Errors);
        var report = Assert.Single(checkedFiles.Output);
        Assert.Equal("True", Prop(report, "IsValid"));
        Assert.EndsWith(".parquet", Prop(report, "Path"), StringComparison.Ordinal);
        Assert.Empty(published.Errors);
        var copy = Assert.Single(published.Output);
        Assert.Equal("Copied", Prop(copy, "Status"));
        Assert.Equal(raw, Prop(copy, "Raw"));
        Assert.Equal("bronze/" + LongAgo.ToString("yyyy/MM/dd/HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "--ticker_20251101.jsonl",
            Prop(copy, "Bronze"));
    }

    [Fact]
    public void A_destination_that_is_a_file_is_refused_before_any_result_is_printed()
    {
        Write("raw/a_20251101.jsonl", "{\"time\":\"2025-11-01T00:00:00Z\"}\n");
        Write("raw/a_20251102.jsonl", "{\"time\":\"2025-11-02T00:00:00Z\"}\n"); // the Latest: a Skipped row once printed first
        var file = Write("not-a-folder", "x");

        var result = _ps.Run("Convert-JsonlToParquet $r -Destination $d", ("r", Path.Combine(_dir, "raw")), ("d", file));
        var below = _ps.Run("New-DataSample $r -Destination $d", ("r", Path.Combine(_dir, "raw")), ("d", Path.Combine(file, "samples")));

        Assert.Empty(result.Output);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DestinationNotFolder,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(file, error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(below.Output);
        Assert.StartsWith("DestinationNotFolder,", Assert.Single(below.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void Conversion_progress_tells_bytes_within_a_file_rows_rate_and_time_left()
    {
        var raw = Path.Combine(_dir, "raw", "ticker_20251101.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(raw)!);
        using (var writer = new StreamWriter(raw))
        {
            // Large enough (about 80 MB) that a quiet machine still takes several 250 ms progress intervals on it.
            for (var i = 0; i < 1_000_000; i++)
            {
                writer.Write($"{{\"type\":\"ticker\",\"time\":\"2025-11-01T10:{i / 60 % 60:00}:{i % 60:00}Z\",\"price\":\"{i}.5\",\"seq\":{i}}}\n");
            }
        }

        File.SetLastWriteTimeUtc(raw, LongAgo);
        var (result, progress) = _ps.RunWithProgress("Convert-JsonlToParquet -LiteralPath $f -Destination $d -IncludeLatest",
            ("f", raw), ("d", Path.Combine(_dir, "ds")));

        Assert.Empty(result.Errors);
        var shown = progress.Where(p => p.Type == ProgressRecordType.Processing).ToList();
        Assert.All(shown, p => Assert.Matches(@"^\d+ of 1 file\(s\) done, [\d,]+ rows written, [\d.,]+ of [\d.,]+ MB", p.Status));
        Assert.Contains(shown, p => p.PercentComplete is > 0 and < 100 && p.Status.StartsWith("0 of 1", StringComparison.Ordinal)); // within the file
        Assert.Contains(shown, p => p.Status.Contains(" MB/s, ", StringComparison.Ordinal) && p.Status.EndsWith(" left", StringComparison.Ordinal) && p.SecondsRemaining >= 0);
        Assert.Equal(shown.Select(p => p.PercentComplete).Order(), shown.Select(p => p.PercentComplete));
        Assert.Contains(shown, p => p.Status.StartsWith("1 of 1 file(s) done, 1,000,000 rows written", StringComparison.Ordinal) && p.PercentComplete == 100);
        Assert.Equal(ProgressRecordType.Completed, progress[^1].Type);
    }

    [Fact]
    public void Continuity_leaves_temp_files_out_and_an_empty_dataset_check_warns()
    {
        Write("raw/ticker_20251101.jsonl", "{\"time\":\"2025-11-01T10:00:00Z\"}\n");
        Write("raw/temp_ticker_20251101.jsonl", "{\"time\":\"2025-11-01T10:00:00Z\"}\n");
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));

        var continuity = _ps.Run("(Test-DataContinuity $r).Stream", ("r", Path.Combine(_dir, "raw")));
        var empty = _ps.Run("Test-ParquetFile $e -Recurse -Quiet", ("e", Path.Combine(_dir, "empty")));

        Assert.Equal(["ticker"], continuity.Strings);
        Assert.Empty(empty.Output);
        Assert.Contains("No Parquet files were found", Assert.Single(empty.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_syntax_shows_plain_type_names()
    {
        var syntax = _ps.Run("Get-Command -Module PipelineOps | ForEach-Object { Get-Help $_.Name | Select-Object -ExpandProperty syntax | Out-String -Width 400 }")
            .Strings.ToList();

        Assert.NotEmpty(syntax);
        Assert.All(syntax, text =>
        {
            Assert.DoesNotMatch(@"[A-Za-z0-9]\]>", text); // <Int32]>, not <Int32[]>
            Assert.DoesNotContain("Nullable", text, StringComparison.Ordinal);
        });
        Assert.Contains(syntax, text => text.Contains("[-Seed <Int32>]", StringComparison.Ordinal));
    }

    [Fact]
    public void Tables_keep_the_end_of_a_long_path()
    {
        var deep = Write(string.Join('/', Enumerable.Repeat("a-rather-long-folder-name", 4)) + "/data_20251101.csv", "a,b\n1,2\n");

        var table = _ps.Run("New-DataSample -LiteralPath $f -Destination $d | Format-Table | Out-String -Width 200", ("f", deep), ("d", Path.Combine(_dir, "s")));

        Assert.Contains("…" + deep[^39..], table.Strings.Single(), StringComparison.Ordinal); // cut from the left
    }
}
