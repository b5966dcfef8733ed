using System.Management.Automation;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Module.Tests;

public sealed class ConvertJsonlToParquetTests : IDisposable
{
    private const string CommandType = "PipelineOps.Commands.ConvertJsonlToParquetCommand";
    private readonly PowerShellSession _ps = new();
    private readonly SampleData _data = new();

    public ConvertJsonlToParquetTests()
    {
        Destination = Path.Combine(_data.Root, "..", Path.GetFileName(_data.Root) + "-dataset");
    }

    private string Destination { get; }

    public void Dispose()
    {
        _ps.Dispose();
        _data.Dispose();
        if (Directory.Exists(Destination))
        {
            Directory.Delete(Destination, recursive: true);
        }
    }

    private static string Status(PSObject result) => result.Properties["Status"].Value.ToString()!;

    private static string NameOf(PSObject result) => Path.GetFileName((string)result.Properties["Source"].Value);

    [Fact]
    public void Files_Test_FileActive_clears_convert_and_DuckDB_reads_them_back()
    {
        var result = _ps.Run("""
            [System.IO.DirectoryInfo]::new($raw).GetFiles() | Test-FileActive | Where-Object IsActive -eq $false |
                Convert-JsonlToParquet -Destination $ds
            """, ("raw", _data.Root), ("ds", Destination));

        Assert.Empty(result.Errors);
        Assert.Equal(["level2_20251113.txt", "odd[1]_20251112.jsonl", "ticker_20251113.jsonl"], result.Output.Select(NameOf).Order(StringComparer.Ordinal));
        Assert.All(result.Output, r => Assert.Equal("Converted", Status(r)));
        Assert.Equal(3L, DuckDb.Scalar($"select count(*) from {DuckDb.Dataset(Destination)}"));
        Assert.Equal("PipelineOps.Conversion.ConversionResult", result.Output[0].TypeNames[0]);
    }

    [Fact]
    public void Active_files_in_a_directory_are_skipped_with_their_reasons()
    {
        var result = _ps.Run("Convert-JsonlToParquet $raw $ds", ("raw", _data.Root), ("ds", Destination));

        var skipped = result.Output.Where(r => Status(r) == "Skipped").ToDictionary(NameOf, r => (string)r.Properties["Reason"].Value);
        Assert.Equal("active: Latest (-IncludeLatest would include it)", skipped["level2_20251114.txt"]);
        Assert.Equal("active: Latest, TornTail (-IncludeActive would include it)", skipped["ticker_20251114.jsonl"]);
        Assert.False(skipped.ContainsKey("temp_upload.csv")); // not a JSON-lines file: not considered at all
        Assert.Equal(3, result.Output.Count(r => Status(r) == "Converted"));
    }

    [Fact]
    public void IncludeLatest_converts_the_newest_files_and_a_second_run_finds_everything_up_to_date()
    {
        var first = _ps.Run("Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest", ("raw", _data.Root), ("ds", Destination));
        var second = _ps.Run("Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest", ("raw", _data.Root), ("ds", Destination));

        Assert.Equal(5, first.Output.Count(r => Status(r) == "Converted"));
        Assert.Equal("active: TornTail (-IncludeActive would include it)", first.Output.Single(r => Status(r) == "Skipped").Properties["Reason"].Value);
        Assert.Equal(5, second.Output.Count(r => Status(r) == "UpToDate"));
        Assert.Equal(5L, DuckDb.Scalar($"select count(*) from {DuckDb.Dataset(Destination)}"));
    }

    [Fact]
    public void WhatIf_writes_nothing_and_says_what_it_would_do()
    {
        var result = _ps.Run("Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -WhatIf", ("raw", _data.Root), ("ds", Destination));

        Assert.False(Directory.Exists(Destination));
        Assert.All(result.Output, r => Assert.Equal("Skipped", Status(r)));
    }

    [Fact]
    public void A_failing_source_is_a_Failed_result_and_an_error_and_the_rest_converts()
    {
        _data.Write("broken_20251101.jsonl", "{\"a\":1}\nnot json\n");
        var result = _ps.Run("Convert-JsonlToParquet -LiteralPath $a, $b -Destination $ds -BadLinePolicy Fail -IncludeLatest",
            ("a", _data.PathOf("broken_20251101.jsonl")), ("b", _data.PathOf("level2_20251113.txt")), ("ds", Destination));

        var error = Assert.Single(result.Errors);
        Assert.Equal($"ConversionFailed,{CommandType}", error.FullyQualifiedErrorId);
        Assert.Equal(_data.PathOf("broken_20251101.jsonl"), error.TargetObject);
        Assert.Contains("line 2", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(["Failed", "Converted"], result.Output.OrderBy(NameOf, StringComparer.Ordinal).Select(Status));
    }

    [Fact]
    public void Quarantined_lines_are_reported_as_a_warning_naming_the_rejects_file()
    {
        _data.Write("messy_20251101.jsonl", "{\"a\":1}\nnot json\n{\"a\":2}\n");
        var result = _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -IncludeLatest", ("p", _data.PathOf("messy_20251101.jsonl")), ("ds", Destination));

        var converted = result.Output.Single();
        Assert.Equal(1L, converted.Properties["BadLines"].Value);
        Assert.Contains(result.Warnings, w => w.Message.Contains("_rejects", StringComparison.Ordinal));
        Assert.True(File.Exists((string)converted.Properties["RejectsFile"].Value));
    }

    [Fact]
    public void Compression_is_applied_and_an_unknown_codec_fails_binding()
    {
        _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -Compression Zstd", ("p", _data.PathOf("level2_20251113.txt")), ("ds", Destination));
        var bad = _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -Compression Bzip9", ("p", _data.PathOf("level2_20251113.txt")), ("ds", Destination));

        Assert.Equal("ZSTD", DuckDb.Scalar($"select distinct compression from parquet_metadata('{Destination}/**/*.parquet')"));
        Assert.Equal("ParameterArgumentValidationError,PipelineOps.Commands.ConvertJsonlToParquetCommand", Assert.Single(bad.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void A_destination_another_conversion_holds_is_a_terminating_error()
    {
        var state = Path.Combine(Destination, "_pipelineops");
        Directory.CreateDirectory(state);
        using var held = new FileStream(Path.Combine(state, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        var result = _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds", ("p", _data.PathOf("level2_20251113.txt")), ("ds", Destination));

        Assert.Equal($"DestinationUnavailable,{CommandType}", Assert.Single(result.Errors).FullyQualifiedErrorId);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void Schema_takes_type_names_or_types_and_rejects_anything_else()
    {
        var good = _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -Schema ([ordered]@{ n = [double]; note = 'String' })",
            ("p", _data.PathOf("odd[1]_20251112.jsonl")), ("ds", Destination));
        var bad = _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -Schema @{ n = 'Decimal128' }",
            ("p", _data.PathOf("odd[1]_20251112.jsonl")), ("ds", Destination));
        // Shapes are inferred, never named; nor is a type given by its number.
        var shapes = new[] { "List", "Struct", "3" }.Select(kind => _ps.Run("Convert-JsonlToParquet -LiteralPath $p -Destination $ds -Schema @{ n = $k }",
            ("p", _data.PathOf("odd[1]_20251112.jsonl")), ("ds", Destination), ("k", kind))).ToArray();

        Assert.Empty(good.Errors);
        Assert.Equal([("n", "DOUBLE"), ("note", "VARCHAR")],
            DuckDb.Query($"select column_name, column_type from (describe select * from read_parquet('{Destination}/**/*.parquet', hive_partitioning = false))")
                .Select(r => ((string)r[0]!, (string)r[1]!)));
        Assert.Equal($"InvalidSchema,{CommandType}", Assert.Single(bad.Errors).FullyQualifiedErrorId);
        Assert.All(shapes, r => Assert.Equal($"InvalidSchema,{CommandType}", Assert.Single(r.Errors).FullyQualifiedErrorId));
    }

    [Fact]
    public void A_large_file_whose_last_record_brings_a_new_field_and_a_fraction_keeps_both()
    {
        // Larger than the 4 MB head the columns are first guessed from, so the late record must undo the guess.
        var path = Path.Combine(_data.Root, "big_20251101.jsonl");
        using (var writer = new StreamWriter(path))
        {
            for (var i = 0; i < 40_000; i++)
            {
                writer.Write($$"""{"type":"ticker","seq":{{i}},"price":"3120.15","time":"2025-11-01T00:00:00Z","note":"padding to make the line longer"}""" + "\n");
            }

            writer.Write("""{"type":"ticker","seq":40000.5,"price":"3120.15","time":"2025-11-01T23:59:59Z","late":"here"}""" + "\n");
        }

        var result = _ps.Run("Convert-JsonlToParquet -LiteralPath $path -Destination $ds -IncludeLatest -QuietPeriod 0",
            ("path", path), ("ds", Destination));

        Assert.Empty(result.Errors);
        Assert.Equal("Converted", Status(Assert.Single(result.Output)));
        Assert.True(new FileInfo(path).Length > 4 * 1024 * 1024);
        var dataset = DuckDb.Dataset(Destination);
        Assert.Equal(40_001L, DuckDb.Scalar($"select count(*) from {dataset}"));
        Assert.Equal("DOUBLE", DuckDb.Scalar($"select typeof(seq) from {dataset} limit 1"));
        Assert.Equal(40000.5, DuckDb.Scalar($"select seq from {dataset} where late = 'here'"));
        Assert.Equal(799_980_000.0, DuckDb.Scalar($"select sum(seq) from {dataset} where late is null"));
    }
}
