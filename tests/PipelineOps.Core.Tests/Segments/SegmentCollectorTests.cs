using System.Text;
using PipelineOps.Collection;
using PipelineOps.Conversion;
using PipelineOps.Segments;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Segments;

public sealed class SegmentCollectorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CollectorOptions Options(SegmentOptions? segments = null) => new()
    {
        Directory = _temp.Path,
        Stream = "tick",
        FlushCount = 50,
        FlushInterval = TimeSpan.FromSeconds(30),
        Segments = segments ?? new SegmentOptions { PartitionBy = ["exchange", "product_id"] },
    };

    private static string Record(long id, string exchange = "cb", string product = "BTC-USD") =>
        $"{{\"id\":{id},\"exchange\":\"{exchange}\",\"product_id\":\"{product}\",\"price\":{id}.5,\"time\":\"2026-11-28T10:00:00.{id % 1000000:D6}Z\"}}";

    private static async Task<Collector> Collect(CollectorOptions options, IEnumerable<string> records)
    {
        var collector = new Collector(options, null);
        collector.Start();
        foreach (var record in records)
        {
            await collector.PostAsync(Encoding.UTF8.GetBytes(record), CancellationToken.None);
        }

        await collector.StopAsync();
        return collector;
    }

    private string Ready => SegmentLayout.Ready(_temp.Path);

    [Fact]
    public async Task Records_land_in_whole_parquet_files_under_hive_folders_of_ready_and_active_is_left_empty()
    {
        var records = Enumerable.Range(1, 600).Select(i => Record(i, i % 2 == 0 ? "cb" : "kr", i % 3 == 0 ? "ETH-USD" : "BTC-USD")).ToList();
        var collector = await Collect(Options(), records);

        Assert.Equal(CollectorState.Stopped, collector.State);
        Assert.Equal(600, collector.Stats.Flushed);
        Assert.Empty(Directory.GetFiles(SegmentLayout.Active(_temp.Path), "*", SearchOption.AllDirectories));
        var files = Directory.GetFiles(Ready, "*.parquet", SearchOption.AllDirectories);
        Assert.Equal(4, files.Length);
        Assert.All(files, f => Assert.Matches(@"tick[/\\]exchange=(cb|kr)[/\\]product_id=(BTC|ETH)-USD[/\\]tick_\d{8}_\d{4}\.parquet$", f));
        Assert.All(files, f => Assert.True(ParquetFileCheck.Inspect(f, deep: true).IsValid));
        Assert.Equal(600L, DuckDb.Scalar($"SELECT count(DISTINCT id) FROM {DuckDb.Dataset(Ready)}"));
        Assert.Equal(0L, DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Dataset(Ready)} WHERE (id % 2 = 0) <> (exchange = 'cb')"));
        // Sequence numbers are per stream and period, so no two segments share a name.
        Assert.Equal(4, files.Select(Path.GetFileName).Distinct().Count());
    }

    [Fact]
    public async Task A_segment_is_closed_at_its_maximum_size_and_a_later_run_never_reuses_a_sequence_number()
    {
        var options = Options(new SegmentOptions { SegmentMaxSize = 4096 });
        await Collect(options, Enumerable.Range(1, 500).Select(i => Record(i)));
        var first = Directory.GetFiles(Ready, "*.parquet", SearchOption.AllDirectories);
        Assert.True(first.Length > 5, $"{first.Length} segments");
        Assert.Equal(500L, DuckDb.Scalar($"SELECT count(DISTINCT id) FROM {DuckDb.Dataset(Ready)}"));

        // ready/ synced away: the next run still numbers on.
        var highest = first.Max(f => SegmentLayout.SequenceOf(Path.GetFileName(f)))!.Value;
        Directory.Delete(Ready, recursive: true);
        await Collect(options, [Record(501)]);
        var next = Directory.GetFiles(Ready, "*.parquet", SearchOption.AllDirectories).Single();
        Assert.Equal(highest + 1, SegmentLayout.SequenceOf(Path.GetFileName(next)));
    }

    [Fact]
    public async Task Hundreds_of_partitions_with_few_open_files_and_a_small_buffer_keep_every_record()
    {
        var options = Options(new SegmentOptions { PartitionBy = ["product_id"], MaxOpenSegments = 8, MaxBufferSize = 8192 })
            with { FlushCount = 100_000 };
        var records = Enumerable.Range(1, 2000).Select(i => Record(i, product: $"P{i % 300}")).ToList();
        var collector = await Collect(options, records);

        Assert.Equal(2000, collector.Stats.Flushed);
        Assert.Equal(300, Directory.GetDirectories(Path.Combine(Ready, "tick")).Length);
        Assert.Equal(2000L, DuckDb.Scalar($"SELECT count(DISTINCT id) FROM {DuckDb.Dataset(Ready)}"));
    }

    [Fact]
    public async Task A_restart_closes_the_journals_a_killed_run_left_before_writing()
    {
        // What a kill -9 leaves: a journal with flushed rows and a torn last write.
        var journal = Path.Combine(SegmentLayout.Active(_temp.Path), "tick", "exchange=cb", "product_id=BTC-USD", "tick_20261128_0007" + SegmentLayout.JournalExtension);
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        File.WriteAllText(journal, Record(1) + "\n" + Record(2) + "\n" + Record(3)[..20]);

        var collector = await Collect(Options(), [Record(4)]);

        Assert.Contains(collector.TakeWarnings(), w => w.Contains("Salvaged", StringComparison.Ordinal));
        Assert.Equal([1L, 2L, 4L], DuckDb.Query($"SELECT id FROM {DuckDb.Dataset(Ready)} ORDER BY id").Select(r => (long)r[0]!).ToArray());
        Assert.Single(Directory.GetFiles(SegmentLayout.Quarantine(_temp.Path), "*", SearchOption.AllDirectories));
    }
}
