using System.Management.Automation;
using PipelineOps.Module.Tests.Support;

namespace PipelineOps.Module.Tests;

public sealed class TestParquetFileTests : IDisposable
{
    private readonly PowerShellSession _ps = new();
    private readonly SampleData _data = new();
    private readonly string _dataset;

    public TestParquetFileTests()
    {
        _dataset = Path.Combine(_data.Root, "dataset");
        _data.Write("ticker_20251110.jsonl", """{"type":"ticker","price":"1.5","time":"2025-11-10T12:00:00Z"}""" + "\n");
        _ps.Run("Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest -Filter *_20251110.jsonl",
            ("raw", _data.Root), ("ds", _dataset));
    }

    public void Dispose()
    {
        _ps.Dispose();
        _data.Dispose();
    }

    private string OnlyFile => Directory.GetFiles(_dataset, "*.parquet", SearchOption.AllDirectories).Single();

    [Fact]
    public void A_converted_dataset_is_whole_and_consistent()
    {
        var result = _ps.Run("Test-ParquetFile $ds -Recurse -Deep", ("ds", _dataset));

        Assert.Empty(result.Errors);
        var report = result.Output.Single();
        Assert.Equal(true, report.Properties["IsValid"].Value);
        Assert.Equal(1L, report.Properties["Rows"].Value);
        Assert.Equal("PipelineOps.Conversion.ParquetFileReport", report.TypeNames[0]);
    }

    [Fact]
    public void A_file_cut_short_is_invalid_with_a_reason_and_an_error()
    {
        var file = OnlyFile;
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

        var result = _ps.Run("Test-ParquetFile -LiteralPath $f", ("f", file));

        var report = result.Output.Single();
        Assert.Equal(false, report.Properties["IsValid"].Value);
        Assert.Contains("not a readable Parquet file", (string)report.Properties["Problem"].Value, StringComparison.Ordinal);
        Assert.Equal("InvalidParquetFile,PipelineOps.Commands.TestParquetFileCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Deep_finds_records_outside_their_date_partition()
    {
        var file = OnlyFile;
        var wrong = Path.Combine(_dataset, "date=2025-11-11", Path.GetFileName(file));
        Directory.CreateDirectory(Path.GetDirectoryName(wrong)!);
        File.Move(file, wrong);

        var shallow = _ps.Run("Test-ParquetFile -LiteralPath $f -Quiet", ("f", wrong));
        var deep = _ps.Run("Test-ParquetFile -LiteralPath $f -Deep", ("f", wrong));

        Assert.Equal([true], shallow.Objects<bool>());
        Assert.Contains("outside its partition date=2025-11-11", (string)deep.Output.Single().Properties["Problem"].Value, StringComparison.Ordinal);
        Assert.Single(deep.Errors);
    }
}
