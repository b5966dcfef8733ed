using System.IO.Compression;
using PipelineOps.Conversion;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Conversion;

/// <summary>A source's records are published once, whatever it is renamed to, compressed into or moved to.</summary>
public sealed class SourceIdentityTests : IDisposable
{
    private static readonly DateTime Day = new(2025, 11, 14, 0, 0, 0, DateTimeKind.Utc);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Destination => Path.Combine(_dir.Path, "dataset");

    private long Rows => (long)DuckDb.Scalar($"select count(*) from {DuckDb.Dataset(Destination)}")!;

    private List<ConversionResult> ConvertAll(params string[] sources)
    {
        using var run = ConversionRun.Open(new ConversionOptions { Destination = Destination });
        var results = new List<ConversionResult>();
        run.ConvertAll(sources, throttle: 2, r => { lock (results) { results.Add(r); } }, null, CancellationToken.None);
        return results;
    }

    private static string[] Records(int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => MarketData.Level2(Day.AddSeconds(i), price: $"{i}.5")).ToArray();

    private string Raw(string name, IEnumerable<string> lines, string folder = "raw")
    {
        var path = Path.Combine(_dir.Path, folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        return path;
    }

    private static string Gzip(string path)
    {
        using (var input = File.OpenRead(path))
        using (var output = new GZipStream(File.Create(path + ".gz"), CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        File.Delete(path); // as logrotate does
        return path + ".gz";
    }

    [Fact]
    public void A_converted_file_compressed_to_gz_is_the_same_source_and_is_not_published_again()
    {
        var plain = Raw("level2_20251114.jsonl", Records(6020));
        Assert.Equal(ConversionStatus.Converted, ConvertAll(plain).Single().Status);

        var result = ConvertAll(Gzip(plain)).Single();

        Assert.Equal(ConversionStatus.UpToDate, result.Status);
        Assert.Contains("the same records as", result.Reason, StringComparison.Ordinal);
        Assert.Equal(6020, Rows);
        Assert.Equal(ConversionStatus.UpToDate, ConvertAll(plain + ".gz").Single().Status);
    }

    [Fact]
    public void A_moved_or_renamed_raw_folder_is_not_published_again()
    {
        var plain = Raw("level2_20251114.jsonl", Records(500));
        Raw("ticker_20251114.jsonl", Records(300));
        ConvertAll(Directory.GetFiles(Path.GetDirectoryName(plain)!));

        Directory.Move(Path.Combine(_dir.Path, "raw"), Path.Combine(_dir.Path, "archive"));
        File.Move(Path.Combine(_dir.Path, "archive", "ticker_20251114.jsonl"), Path.Combine(_dir.Path, "archive", "ticker-2025-11-14.ndjson"));
        var results = ConvertAll(Directory.GetFiles(Path.Combine(_dir.Path, "archive")));

        Assert.All(results, r => Assert.Equal(ConversionStatus.UpToDate, r.Status));
        Assert.Equal(800, Rows);
    }

    [Fact]
    public void A_source_that_changed_under_a_new_name_replaces_its_own_outputs()
    {
        var plain = Raw("level2_20251114.jsonl", Records(400));
        ConvertAll(plain);

        // More records were appended before the file was compressed under its new name.
        File.AppendAllText(plain, string.Join("\n", Records(100, from: 400)) + "\n");
        var result = ConvertAll(Gzip(plain)).Single();

        Assert.Equal(ConversionStatus.Converted, result.Status);
        Assert.Equal(500, Rows);
        Assert.Single(Directory.GetFiles(Destination, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public void Both_names_of_one_source_in_one_run_publish_its_records_once()
    {
        var plain = Raw("level2_20251114.jsonl", Records(300));
        var copy = Raw("level2_20251114.jsonl", Records(300), folder: "copy");
        var gz = Gzip(copy);

        var results = ConvertAll(plain, gz);

        Assert.Equal(1, results.Count(r => r.Status == ConversionStatus.Converted));
        Assert.Equal(300, Rows);
    }

    [Fact]
    public void A_different_source_of_the_same_stream_and_period_elsewhere_is_kept_apart()
    {
        var first = Raw("level2_20251114.jsonl", Records(200), folder: "env0");
        var second = Raw("level2_20251114.jsonl", Records(150, from: 1000), folder: "env1");

        var results = ConvertAll(first, second);

        Assert.All(results, r => Assert.Equal(ConversionStatus.Converted, r.Status));
        Assert.Equal(350, Rows);
    }
}
