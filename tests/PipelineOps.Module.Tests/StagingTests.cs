using System.IO.Compression;
using System.Text;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

/// <summary>Raw to bronze to samples, the way an operator pipes it.</summary>
public sealed class StagingTests : IDisposable
{
    private static readonly DateTime Written = new(2026, 1, 18, 14, 30, 0, DateTimeKind.Utc);
    private readonly PowerShellSession _ps = new();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "staging-" + Guid.NewGuid().ToString("N"));

    public StagingTests() => Directory.CreateDirectory(_temp);

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_temp, recursive: true);
    }

    private string Dataset => Path.Combine(_temp, "data", "sp", "gics", "1.0");

    private string Raw(string relative, string content, DateTime? written = null)
    {
        var path = Path.Combine(_temp, "raw", relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, written ?? Written);
        return path;
    }

    private static string Prop(System.Management.Automation.PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    private const string Publish = "Copy-ToBronze -LiteralPath ([IO.Path]::Combine($t, 'raw')) -Recurse -RawRoot ([IO.Path]::Combine($t, 'raw')) -Root ([IO.Path]::Combine($t, 'data')) -Vendor sp -Dataset gics -Version 1.0";

    [Fact]
    public void Raw_files_go_to_bronze_into_the_manifest_and_out_as_samples()
    {
        Raw("env0/data.csv", "id,name\n1,\"a\nb\"\n2,c\n3,d\n");
        Raw("env1/data.csv", "id,name\n9,z\n");
        Raw("env1/events.jsonl", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
        Raw("env0/temp_upload.csv", "still arriving");

        var published = _ps.Run(Publish, ("t", _temp));
        var sampled = _ps.Run("Get-ManifestEntry -Root $r -Vendor sp -Dataset gics -Version 1.0 | New-DataSample -Rows 2", ("r", Path.Combine(_temp, "data")));

        Assert.Empty(published.Errors);
        var byRaw = published.Output.ToDictionary(o => Path.GetRelativePath(Path.Combine(_temp, "raw"), Prop(o, "Raw")).Replace('\\', '/'));
        Assert.Equal("Skipped", Prop(byRaw["env0/temp_upload.csv"], "Status"));
        Assert.Contains("TempName", Prop(byRaw["env0/temp_upload.csv"], "Reason"));
        Assert.Equal("bronze/2026/01/18/143000--data.csv", Prop(byRaw["env0/data.csv"], "Bronze"));
        Assert.Equal("bronze/2026/01/18/143000-1--data.csv", Prop(byRaw["env1/data.csv"], "Bronze"));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(Dataset, "manifests", "processed.jsonl")).Length);

        Assert.Empty(sampled.Errors);
        Assert.Equal(["Sampled", "Sampled", "Sampled"], sampled.Output.Select(o => Prop(o, "Status")).ToArray());
        var csvSample = Path.Combine(Dataset, "samples", "2026", "01", "18", "143000--data_sample.csv");
        Assert.Equal("id,name\n1,\"a\nb\"\n2,c\n", File.ReadAllText(csvSample));
        Assert.Equal(2L, DuckDb.Scalar($"SELECT count(*) FROM read_csv('{csvSample}', header = true)"));
    }

    [Fact]
    public void WhatIf_copies_nothing_and_a_rerun_is_up_to_date()
    {
        Raw("env0/a.jsonl", "{}\n");
        const string script = Publish;

        var whatIf = _ps.Run(script + " -WhatIf", ("t", _temp));
        Assert.Empty(whatIf.Output);
        Assert.False(Directory.Exists(Dataset));

        var first = _ps.Run(script + " -Verify", ("t", _temp));
        var second = _ps.Run(script, ("t", _temp));

        Assert.Equal("Copied", Prop(Assert.Single(first.Output), "Status"));
        Assert.Equal(64, Prop(first.Output[0], "Sha256").Length);
        Assert.Equal("UpToDate", Prop(Assert.Single(second.Output), "Status"));
        Assert.Single(File.ReadAllLines(Path.Combine(Dataset, "manifests", "processed.jsonl")));
    }

    [Fact]
    public void ConvertTo_BronzePath_maps_without_copying()
    {
        var raw = Raw("env7/orders/o.parquet", "x");

        var mapped = _ps.Run("ConvertTo-BronzePath -LiteralPath $p -RawRoot $r -Time ([datetime]::SpecifyKind([datetime]'2026-03-01T08:05:09', 'Utc'))",
            ("p", raw), ("r", Path.Combine(_temp, "raw")));
        var outside = _ps.Run("ConvertTo-BronzePath -LiteralPath $p -RawRoot $r", ("p", raw), ("r", Path.Combine(_temp, "elsewhere")));

        Assert.Equal("bronze/2026/03/01/orders/080509--o.parquet", Prop(Assert.Single(mapped.Output), "Bronze"));
        Assert.Equal("RawFileOutsideRoot,PipelineOps.Commands.ConvertToBronzePathCommand", Assert.Single(outside.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void The_sampler_pass_reads_only_new_entries_and_refuses_hostile_ones_without_stopping()
    {
        var bronze = Path.Combine(Dataset, "bronze", "a.jsonl.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(bronze)!);
        using (var gz = new GZipStream(File.Create(bronze), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 500).Select(i => $"{{\"i\":{i}}}\n"))));
        }

        File.WriteAllText(Path.Combine(Dataset, "bronze", "corrupt.parquet"), "PAR1 this is not parquet PAR1");
        var manifest = Path.Combine(Dataset, "manifests", "processed.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(manifest)!);
        File.WriteAllLines(manifest, [
            """{"raw":"raw/a.jsonl.gz","bronze":"bronze/a.jsonl.gz","mtime":1}""",
            """{"raw":"raw/x","bronze":"../../../../../etc/passwd","mtime":1}""",
            """{"raw":"raw/c","bronze":"bronze/corrupt.parquet","mtime":1}""",
        ]);
        const string pass = "Invoke-StagingSampler -Root $r -Vendor sp -Dataset gics -Version 1.0 -Rows 5";

        var first = _ps.Run(pass, ("r", Path.Combine(_temp, "data")));
        var second = _ps.Run(pass, ("r", Path.Combine(_temp, "data")));
        File.AppendAllText(manifest, """{"raw":"raw/a.jsonl.gz","bronze":"bronze/a.jsonl.gz","mtime":1}""" + "\n");
        var third = _ps.Run(pass, ("r", Path.Combine(_temp, "data")));

        Assert.Equal(["Sampled", "Failed", "Failed"], first.Output.Select(o => Prop(o, "Status")).ToArray());
        Assert.Contains("outside the dataset", Prop(first.Output[1], "Reason"));
        Assert.Equal(2, first.Errors.Count);
        Assert.All(first.Errors, e => Assert.StartsWith("SampleFailed,", e.FullyQualifiedErrorId));
        using (var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(Dataset, "samples", "a_sample.jsonl.gz")), CompressionMode.Decompress)))
        {
            Assert.Equal(5, reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        Assert.Empty(second.Output);
        Assert.Equal("UpToDate", Prop(Assert.Single(third.Output), "Status"));
    }

    [Fact]
    public void New_DataSample_takes_paths_and_writes_parquet_DuckDB_reads()
    {
        var source = Path.Combine(_temp, "big.parquet");
        DuckDb.Query($"COPY (SELECT i AS id, 'n' || i AS name FROM range(50000) t(i)) TO '{source}' (FORMAT parquet, ROW_GROUP_SIZE 10000)");

        var result = _ps.Run("New-DataSample -Path $p -Destination $d -Rows 10", ("p", source), ("d", Path.Combine(_temp, "samples")));

        var sample = Prop(Assert.Single(result.Output), "Sample");
        Assert.Equal(Path.Combine(_temp, "samples", "big_sample.parquet"), sample);
        Assert.Equal(45L, Convert.ToInt64(DuckDb.Scalar($"SELECT sum(id)::BIGINT FROM read_parquet('{sample}')")));
    }
}
