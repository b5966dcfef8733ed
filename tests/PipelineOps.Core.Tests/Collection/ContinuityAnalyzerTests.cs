using PipelineOps.Collection.Continuity;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Collection;

public sealed class ContinuityAnalyzerTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Record(string product, int minute) =>
        $"{{\"type\":\"ticker\",\"product_id\":\"{product}\",\"time\":\"2025-11-14T10:{minute:00}:00Z\"}}\n";

    [Fact]
    public void Finds_gaps_per_product_across_files_and_scores_by_the_documented_formula()
    {
        // BTC every minute 0-59 except 20-29; ETH every minute 0-59. One bad line, one empty file.
        var first = string.Concat(Enumerable.Range(0, 30).Where(m => m < 20).Select(m => Record("BTC-USD", m)))
                    + string.Concat(Enumerable.Range(0, 30).Select(m => Record("ETH-USD", m))) + "{not json\n";
        var second = string.Concat(Enumerable.Range(30, 30).Select(m => Record("BTC-USD", m) + Record("ETH-USD", m)));
        var files = new[]
        {
            _temp.File("ticker_20251114_10.jsonl", first),
            _temp.File("ticker_20251114_10.1.jsonl", second),
            _temp.File("ticker_20251114_11.jsonl", ""),
        };

        var report = new ContinuityAnalyzer("time", "product_id", TimeSpan.FromMinutes(2)).Analyze("ticker", files);

        Assert.Equal((110L, 1L), (report.Records, report.BadLines));
        Assert.Equal(new DateTime(2025, 11, 14, 10, 0, 0, DateTimeKind.Utc), report.Start);
        Assert.Equal(TimeSpan.FromMinutes(59), report.Duration);
        var gap = Assert.Single(report.Gaps);
        Assert.Equal(("BTC-USD", TimeSpan.FromMinutes(11)), (gap.Product, gap.Length)); // 10:19 to 10:30
        Assert.Equal(["BTC-USD", "ETH-USD"], report.Products);
        Assert.Equal([files[2]], report.EmptyFiles);
        Assert.Contains(report.Problems, p => p.Contains("ticker_20251114_10.jsonl, line 51", StringComparison.Ordinal));
        var coverage = 1 - 11.0 / (59 * 2);
        var validity = 110 / 111.0;
        Assert.Equal(Math.Round(100 * coverage * validity, 2), report.Score);
    }

    [Fact]
    public void Data_after_the_last_gzip_member_is_a_problem_naming_its_offset_and_the_report_goes_on()
    {
        var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 10).Select(m => Record("BTC-USD", m)))));
        }

        var member = buffer.ToArray();
        var damaged = Path.Combine(_temp.Path, "ticker_20251114_10.jsonl.gz");
        File.WriteAllBytes(damaged, [.. member, .. "junk"u8]);
        var next = _temp.File("ticker_20251114_11.jsonl", Record("BTC-USD", 10));

        var report = new ContinuityAnalyzer("time", "product_id", TimeSpan.FromMinutes(2)).Analyze("ticker", [damaged, next]);

        Assert.Equal(11L, report.Records);
        Assert.Contains(report.Problems, p => p.Contains($"follows the last gzip member, from byte offset {member.Length:N0}", StringComparison.Ordinal));
    }

    [Fact]
    public void Groups_files_into_streams_by_their_series()
    {
        var groups = ContinuityAnalyzer.ByStream(["/d/level2_20251114.jsonl", "/d/level2_20251114_15.jsonl", "/d/ticker_20251114.2.jsonl"]).ToList();

        Assert.Equal(["level2", "ticker"], groups.Select(g => g.Key));
        Assert.Equal(2, groups[0].Count());
    }
}
