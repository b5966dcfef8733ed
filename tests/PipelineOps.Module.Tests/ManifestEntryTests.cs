using System.Text.Json;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

public sealed class ManifestEntryTests : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "manifest-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        _ps.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string ManifestFile => Path.Combine(_root, "sp", "gics", "1.0", "manifests", "processed.jsonl");

    [Fact]
    public void Entries_from_the_pipeline_are_appended_in_the_staging_format_and_read_back()
    {
        var bronze = Path.Combine(_root, "sp", "gics", "1.0", "bronze", "2026", "01", "18", "143000--data.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(bronze)!);
        File.WriteAllText(bronze, "a,b\n1,2\n");
        File.SetLastWriteTimeUtc(bronze, new DateTime(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc));

        var added = _ps.Run("""
            [pscustomobject]@{ Raw = 'raw/env0/data.csv'; Bronze = 'bronze/2026/01/18/143000--data.csv' },
            [pscustomobject]@{ Raw = 'raw/env1/file.parquet'; Bronze = 'bronze/2026/01/18/143005--file.parquet'; Mtime = [datetime]::SpecifyKind([datetime]'2026-01-18T14:30:05', 'Utc'); Size = 42 } |
                Add-ManifestEntry -Root $root -Vendor sp -Dataset gics -Version 1.0 -Fsync -PassThru
            """, ("root", _root));
        var read = _ps.Run("Get-ManifestEntry -Manifest $m", ("m", ManifestFile));

        Assert.Empty(added.Errors);
        Assert.Equal(2, added.Output.Count);
        Assert.Equal(["raw/env0/data.csv", "raw/env1/file.parquet"], read.Output.Select(e => (string)e.Properties["Raw"].Value));
        Assert.Equal(8L, read.Output[0].Properties["Size"].Value);
        Assert.Equal(new DateTime(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc), System.Management.Automation.PSObject.AsPSObject(read.Output[0].Properties["Mtime"].Value).BaseObject); // the ETS wrapper with an ISO 8601 ToString
        var first = JsonDocument.Parse(File.ReadLines(ManifestFile).First()).RootElement;
        Assert.Equal("bronze/2026/01/18/143000--data.csv", first.GetProperty("bronze").GetString());
        Assert.Equal(1768746600.0, first.GetProperty("mtime").GetDouble());
        Assert.Equal("PipelineOps.Staging.ManifestEntry", read.Output[0].TypeNames[0]);
    }

    [Fact]
    public void Several_processes_appending_at_once_never_interleave_or_tear_lines()
    {
        const int processes = 4, perProcess = 150;
        Directory.CreateDirectory(Path.GetDirectoryName(ManifestFile)!);
        var hosts = Enumerable.Range(0, processes).Select(p => HostProcess.Start(["-Command", $$"""
            foreach ($i in 1..{{perProcess}}) {
                Add-ManifestEntry -Manifest '{{ManifestFile}}' -Raw "raw/p{{p}}/file-$i-{{new string('x', 200)}}.csv" -Bronze "bronze/p{{p}}/$i.csv" -Mtime ([datetime]::UtcNow) -Size $i
            }
            """])).ToList();
        foreach (var host in hosts)
        {
            var result = host.WaitForExit();
            Assert.True(result.ExitCode == 0, result.Stderr);
            host.Dispose();
        }

        var lines = File.ReadAllLines(ManifestFile);
        Assert.Equal(processes * perProcess, lines.Length);
        Assert.All(lines, line => JsonDocument.Parse(line));
        var read = _ps.Run("Get-ManifestEntry -Manifest $m", ("m", ManifestFile));
        Assert.Empty(read.Warnings);
        Assert.Equal(processes * perProcess, read.Output.Select(e => (string)e.Properties["Bronze"].Value).Distinct().Count());
    }

    [Fact]
    public void A_torn_last_line_is_not_read_and_the_next_append_starts_on_a_fresh_line()
    {
        _ps.Run("Add-ManifestEntry -Manifest $m -Raw raw/a.csv -Bronze bronze/a.csv -Mtime ([datetime]::UtcNow)", ("m", ManifestFile));
        File.AppendAllText(ManifestFile, "{\"raw\":\"raw/b.csv\",\"bron"); // a writer killed mid-line

        var beforeRepair = _ps.Run("Get-ManifestEntry -Manifest $m", ("m", ManifestFile));
        _ps.Run("Add-ManifestEntry -Manifest $m -Raw raw/c.csv -Bronze bronze/c.csv -Mtime ([datetime]::UtcNow)", ("m", ManifestFile));
        var afterRepair = _ps.Run("Get-ManifestEntry -Manifest $m", ("m", ManifestFile));

        Assert.Equal(["raw/a.csv"], beforeRepair.Output.Select(e => (string)e.Properties["Raw"].Value));
        Assert.Empty(beforeRepair.Warnings);
        Assert.Equal(["raw/a.csv", "raw/c.csv"], afterRepair.Output.Select(e => (string)e.Properties["Raw"].Value));
        Assert.Contains(afterRepair.Warnings, w => w.Message.Contains("line 2", StringComparison.Ordinal));
    }

    [Fact]
    public void Filters_Tail_and_WhatIf()
    {
        var script = string.Join("\n", Enumerable.Range(1, 10).Select(i =>
            $"Add-ManifestEntry -Manifest $m -Raw raw/f{i}.{(i % 2 == 0 ? "csv" : "json")} -Bronze bronze/f{i} -Mtime ([datetime]::UtcNow)"));
        _ps.Run(script, ("m", ManifestFile));

        var csv = _ps.Run("Get-ManifestEntry -Manifest $m -RawPattern *.csv", ("m", ManifestFile));
        var tail = _ps.Run("Get-ManifestEntry -Manifest $m -Tail 3", ("m", ManifestFile));
        var future = _ps.Run("Get-ManifestEntry -Manifest $m -Since ([datetime]::UtcNow.AddHours(1))", ("m", ManifestFile));
        _ps.Run("Add-ManifestEntry -Manifest $m -Raw raw/x -Bronze bronze/x -Mtime ([datetime]::UtcNow) -WhatIf", ("m", ManifestFile));
        var missing = _ps.Run("Get-ManifestEntry -Manifest $m", ("m", Path.Combine(_root, "none.jsonl")));

        Assert.Equal(5, csv.Output.Count);
        Assert.Equal(["raw/f8.csv", "raw/f9.json", "raw/f10.csv"], tail.Output.Select(e => (string)e.Properties["Raw"].Value));
        Assert.Empty(future.Output);
        Assert.Equal(10, File.ReadAllLines(ManifestFile).Length);
        Assert.Equal("ManifestNotFound,PipelineOps.Commands.GetManifestEntryCommand", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Without_a_time_and_without_the_bronze_file_the_entry_is_refused()
    {
        var result = _ps.Run("Add-ManifestEntry -Manifest $m -Raw raw/a.csv -Bronze bronze/missing.csv", ("m", ManifestFile));

        Assert.Equal("BronzeFileNotFound,PipelineOps.Commands.AddManifestEntryCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.False(File.Exists(ManifestFile));
    }
}
