using System.Text;
using PipelineOps.Collection;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Collection;

/// <summary>
/// The queue between the source and the writer hands records over in batches and wakes the writer only for a batch,
/// a deadline or memory pressure; and what a record holds of the memory budget is given back whatever becomes of it.
/// Each post here is bounded by a token, so a collector that stops taking records fails the test instead of hanging it.
/// </summary>
public sealed class CollectorQueueTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Today(string stream) => Path.Combine(_temp.Path, $"{stream}_{DateTime.UtcNow:yyyyMMdd}.jsonl");

    private static async Task Post(Collector collector, IEnumerable<string> records)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        foreach (var record in records)
        {
            await collector.PostAsync(Encoding.UTF8.GetBytes(record), patience.Token);
        }
    }

    [Fact]
    public async Task Quarantined_messages_give_their_memory_back_so_later_records_are_still_taken()
    {
        // 200 bad messages of 100 bytes each would hold 20 KB of a 2 KB budget if a rejected message kept its share.
        var collector = new Collector(new CollectorOptions
        {
            Directory = _temp.Path, Stream = "s", MaxBufferSize = 2_000, FlushCount = 5, FlushInterval = TimeSpan.FromMilliseconds(100),
        }, null);
        collector.Start();
        await Post(collector, Enumerable.Range(0, 200).Select(i => $"not json {i}".PadRight(100, '.')));
        await Post(collector, Enumerable.Range(0, 5).Select(i => $"{{\"n\":{i}}}"));
        await collector.StopAsync();

        Assert.Equal(200, collector.Stats.Rejected);
        Assert.Equal(5, collector.Stats.Flushed);
        Assert.Equal(5, File.ReadAllLines(Today("s")).Length);
        Assert.Equal(0, collector.BufferedBytes.Now);
    }

    [Fact]
    public async Task A_producer_short_of_memory_wakes_the_writer_instead_of_waiting_for_the_flush_interval()
    {
        // The budget holds about 20 records, the flush count and interval are far away: only the writer flushing on
        // memory pressure lets 2,000 records through.
        var collector = new Collector(new CollectorOptions
        {
            Directory = _temp.Path, Stream = "s", MaxBufferSize = 2_000, FlushCount = 1_000, FlushInterval = TimeSpan.FromHours(1),
        }, null);
        collector.Start();
        await Post(collector, Enumerable.Range(0, 2_000).Select(i => $"{{\"n\":{i},\"pad\":\"{new string('x', 80)}\"}}"));
        await collector.StopAsync();

        Assert.Equal(2_000, collector.Stats.Flushed);
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => $"{{\"n\":{i},"), File.ReadAllLines(Today("s")).Select(l => l[..(l.IndexOf(',') + 1)]));
    }

    [Fact]
    public async Task A_record_waiting_in_the_queue_for_a_batch_is_flushed_within_the_flush_interval()
    {
        var collector = new Collector(new CollectorOptions
        {
            Directory = _temp.Path, Stream = "s", FlushCount = 1_000, FlushInterval = TimeSpan.FromMilliseconds(300),
        }, null);
        collector.Start();
        await Post(collector, ["{\"n\":1}"]);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (collector.Stats.Flushed == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, collector.Stats.Flushed); // long before the 1,000 records of a batch, and before the stop
        await collector.StopAsync();
    }

    [Fact]
    public async Task Posting_to_a_stopped_collector_says_it_is_closed()
    {
        var collector = new Collector(new CollectorOptions { Directory = _temp.Path, Stream = "s" }, null);
        collector.Start();
        await collector.StopAsync();

        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(() => Post(collector, ["{\"n\":1}"]));
    }
}
