using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Collection;

/// <summary>The collector on WebSocket feeds shaped as real exchange feeds are: binary and compressed frames, batches,
/// permessage-deflate, TLS with a private CA, large and oversize messages, refusals, closes.</summary>
public sealed class WebSocketSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CollectorOptions Options(Func<CollectorOptions, CollectorOptions>? change = null)
    {
        var options = new CollectorOptions { Directory = _temp.Path, Stream = "feed", FlushCount = 50, FlushInterval = TimeSpan.FromMilliseconds(200) };
        return change is null ? options : change(options);
    }

    private static WebSocketSourceOptions Source(WebSocketFeed feed, Func<WebSocketSourceOptions, WebSocketSourceOptions>? change = null)
    {
        var options = new WebSocketSourceOptions
        {
            Uri = feed.Uri, StallTimeout = TimeSpan.FromSeconds(5), InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(200),
        };
        return change is null ? options : change(options);
    }

    /// <summary>Runs a collector on the source until the condition holds (or 20 s pass), then stops it.</summary>
    private static async Task<(Collector Collector, List<string> Warnings)> Collect(CollectorOptions options, IRecordSource source, Func<Collector, bool> until)
    {
        var collector = new Collector(options, source);
        var warnings = new List<string>();
        collector.Start();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!until(collector) && DateTime.UtcNow < deadline)
        {
            warnings.AddRange(collector.TakeWarnings());
            await Task.Delay(20);
        }

        await collector.StopAsync();
        warnings.AddRange(collector.TakeWarnings());
        return (collector, warnings);
    }

    private List<long> Ids() =>
        File.ReadAllLines(Path.Combine(_temp.Path, $"feed_{DateTime.UtcNow:yyyyMMdd}.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).ToList();

    private List<JsonElement> Rejects() =>
        Directory.GetFiles(Path.Combine(_temp.Path, "_rejects")).SelectMany(File.ReadAllLines).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Deflate(byte[] data, bool zlib)
    {
        using var output = new MemoryStream();
        using (Stream deflate = zlib ? new ZLibStream(output, CompressionLevel.Fastest) : new DeflateStream(output, CompressionLevel.Fastest))
        {
            deflate.Write(data);
        }

        return output.ToArray();
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("zlib")]
    public async Task Binary_frames_are_decoded_as_utf8_json_and_decompressed_as_the_encoding_says(string encoding)
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Binary = true;
        feed.Total = 100;
        feed.Encode = encoding switch { "gzip" => Gzip, "deflate" => b => Deflate(b, false), "zlib" => b => Deflate(b, true), _ => null };
        var source = new WebSocketSource(Source(feed, o => o with
        {
            MessageEncoding = encoding switch { "gzip" => MessageEncoding.Gzip, "plain" => MessageEncoding.None, _ => MessageEncoding.Deflate },
        }));

        var (collector, _) = await Collect(Options(), source, c => c.Stats.Flushed >= 100);

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), Ids());
        Assert.Equal((100L, 0L), (collector.Stats.Received, collector.Stats.Rejected));
    }

    [Fact]
    public async Task Binary_frames_that_cannot_be_decoded_are_quarantined_counted_and_named()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Binary = true;
        feed.Total = 20;
        feed.Burst = 20;
        feed.Encode = Gzip; // but the collector is not told
        var source = new WebSocketSource(Source(feed));

        var (collector, warnings) = await Collect(Options(), source, c => c.Stats.Rejected >= 20);

        Assert.Equal((20L, 0L, 20L), (collector.Stats.Rejected, collector.Stats.Flushed, collector.Stats.Received));
        Assert.Equal(0, collector.Stats.Pending);
        var reject = Rejects()[0];
        Assert.Contains("-MessageEncoding Gzip", reject.GetProperty("error").GetString());
        Assert.Equal(Gzip(Encoding.UTF8.GetBytes("x")).Take(2), Convert.FromBase64String(reject.GetProperty("base64").GetString()!).Take(2));
        Assert.Contains(warnings, w => w.Contains("quarantined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Newline_batched_messages_become_one_record_each_and_a_bad_record_costs_only_itself()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Batch = 3;
        feed.Total = 90;
        feed.Payload = (id, _) => id % 10 == 0 ? "not json" : $"{{\"type\":\"tick\",\"id\":{id}}}";
        var source = new WebSocketSource(Source(feed));

        var (collector, _) = await Collect(Options(), source, c => c.Stats.Flushed + c.Stats.Rejected >= 90);

        Assert.Equal(Enumerable.Range(1, 90).Where(i => i % 10 != 0).Select(i => (long)i), Ids());
        Assert.Equal(9, collector.Stats.Rejected);
        Assert.All(Rejects(), r => Assert.Equal("not json", r.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Json_array_messages_are_split_into_their_elements_only_when_asked()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.ArrayBatch = 5;
        feed.Total = 50;
        var split = new WebSocketSource(Source(feed, o => o with { SplitArrays = true }));

        var (collector, _) = await Collect(Options(), split, c => c.Stats.Flushed >= 50);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), Ids());
        Assert.Equal(0, collector.Stats.Rejected);
    }

    [Fact]
    public void The_splitter_keeps_single_and_pretty_messages_whole_and_splits_batches()
    {
        static string[] Split(string text, bool arrays = false) =>
            MessageSplitter.Split(Encoding.UTF8.GetBytes(text), arrays).Select(m => Encoding.UTF8.GetString(m.Span)).ToArray();

        Assert.Equal(["{\"a\":1}"], Split("{\"a\":1}"));
        Assert.Equal(["{\n \"a\": [1,\n 2]\n}"], Split("{\n \"a\": [1,\n 2]\n}"));
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], Split("{\"a\":1}\n{\"b\":2}\n"));
        Assert.Equal(["{\"a\":1}", "{\"b\":2}"], Split("{\"a\":1}\r\n\r\n{\"b\":2}"));
        Assert.Equal(["{\"a\":1}", "{\"b\":", "{\"c\":3}"], Split("{\"a\":1}\n{\"b\":\n{\"c\":3}"));
        Assert.Equal(["[{\"a\":1},{\"b\":2}]"], Split("[{\"a\":1},{\"b\":2}]"));
        Assert.Equal(["{\"a\":1}", "{\"b\":[2]}"], Split(" [{\"a\":1}, {\"b\":[2]}]", arrays: true));
        Assert.Equal(["[{\"a\":1},"], Split("[{\"a\":1},", arrays: true));
    }

    [Fact]
    public async Task Permessage_deflate_is_offered_by_default_and_cuts_the_bytes_on_the_wire()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Compression = true;
        feed.Total = 400;
        feed.Payload = (id, _) => MarketRecord(id);
        await using var proxy = new ByteCountingProxy(feed.Uri);

        var compressed = new WebSocketSource(Source(feed, o => o with { Uri = proxy.Relay(feed.Uri) }));
        await Collect(Options(), compressed, c => c.Stats.Flushed >= 400);
        var withDeflate = proxy.ToClient;
        feed.Total = 800;
        var plain = new WebSocketSource(Source(feed, o => o with { Uri = proxy.Relay(feed.Uri), Compression = false }));
        await Collect(Options(o => o with { Stream = "plain" }), plain, c => c.Stats.Flushed >= 400);
        var withoutDeflate = proxy.ToClient - withDeflate;

        Assert.True(compressed.Compressed);
        Assert.False(plain.Compressed);
        Assert.Contains("permessage-deflate", feed.OfferedExtensions[0], StringComparison.Ordinal);
        Assert.Equal("", feed.OfferedExtensions[1]);
        Assert.True(withDeflate * 3 < withoutDeflate, $"{withDeflate} bytes with permessage-deflate, {withoutDeflate} without");
        Assert.Equal(Enumerable.Range(1, 400).Select(i => (long)i), Ids());
    }

    internal static string MarketRecord(long id) =>
        $"{{\"type\":\"l2update\",\"product_id\":\"BTC-USD\",\"changes\":[[\"buy\",\"{42000 + id % 97}.{id % 100:00}\",\"0.{id * 7919 % 100000000:00000000}\"]],\"time\":\"2026-01-02T03:04:{id % 60:00}.{id % 1000000:000000}Z\",\"id\":{id},\"sequence\":{1000000 + id}}}";

    [Fact]
    public async Task A_private_ca_is_refused_with_the_certificate_problem_named_and_trusted_through_the_option()
    {
        using var ca = TestCertificates.CreateCa();
        using var server = TestCertificates.CreateServer(ca);
        await using var feed = await WebSocketFeed.StartAsync(server);
        feed.Total = 30;

        var (refused, warnings) = await Collect(Options(), new WebSocketSource(Source(feed)), c => c.Stats.Errors >= 2);
        var caFile = TestCertificates.WritePem(ca, Path.Combine(_temp.Path, "ca.pem"));
        var trusting = new WebSocketSource(Source(feed, o => o with { TrustedCertificates = TlsTrust.Load(caFile) }));
        var (trusted, _) = await Collect(Options(), trusting, c => c.Stats.Flushed >= 30);

        Assert.Equal(0, refused.Stats.Received);
        var error = refused.Stats.LastError!;
        Assert.Contains("TLS with 127.0.0.1 failed", error, StringComparison.Ordinal);
        Assert.Contains("is not trusted: PartialChain", error, StringComparison.Ordinal); // the server does not send the CA

        Assert.Contains("CN=PipelineOps Test CA", error, StringComparison.Ordinal);
        Assert.Contains("-TrustedCertificatePath", error, StringComparison.Ordinal);
        Assert.Equal(0, refused.Stats.Reconnects);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), Ids());
        Assert.Equal(0, trusted.Stats.Errors);
    }

    [Fact]
    public async Task A_certificate_signed_by_another_ca_is_still_refused_and_skipping_the_check_connects()
    {
        using var ca = TestCertificates.CreateCa();
        using var other = TestCertificates.CreateCa("Some Other CA");
        using var server = TestCertificates.CreateServer(ca);
        await using var feed = await WebSocketFeed.StartAsync(server);
        feed.Total = 30;
        var otherFile = TestCertificates.WritePem(other, Path.Combine(_temp.Path, "other.pem"));

        var (wrongCa, _) = await Collect(Options(), new WebSocketSource(Source(feed, o => o with { TrustedCertificates = TlsTrust.Load(otherFile) })),
            c => c.Stats.Errors >= 1);
        var (skipped, _) = await Collect(Options(), new WebSocketSource(Source(feed, o => o with { SkipCertificateCheck = true })),
            c => c.Stats.Flushed >= 30);

        Assert.Contains("not even with the certificates trusted for this feed", wrongCa.Stats.LastError, StringComparison.Ordinal);
        Assert.Equal(30, skipped.Stats.Flushed);
    }

    [Fact]
    public async Task Client_certificates_and_extra_headers_reach_the_server()
    {
        using var ca = TestCertificates.CreateCa();
        using var server = TestCertificates.CreateServer(ca);
        using var client = TestCertificates.CreateClient(ca);
        await using var feed = await WebSocketFeed.StartAsync(server, askClientCertificate: true);
        feed.Total = 10;
        var caFile = TestCertificates.WritePem(ca, Path.Combine(_temp.Path, "ca.pem"));
        var source = new WebSocketSource(Source(feed, o => o with
        {
            TrustedCertificates = TlsTrust.Load(caFile),
            ClientCertificates = [client],
            Headers = new Dictionary<string, string> { ["X-Api-Key"] = "secret-key" },
        }));

        await Collect(Options(), source, c => c.Stats.Flushed >= 10);

        Assert.Equal("CN=feed-client", feed.ClientCertificates[0]);
        Assert.Equal("secret-key", feed.Headers[0]["X-Api-Key"]);
    }

    [Fact]
    public async Task Memory_is_bounded_in_bytes_with_one_megabyte_messages()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Total = 16;
        var pad = new string('x', 1 << 20);
        feed.Payload = (id, _) => $"{{\"id\":{id},\"pad\":\"{pad}\"}}";
        var source = new WebSocketSource(Source(feed));

        // Without the byte bound, the queue (10,000 records) and the flush count (50) would hold all 16 MB.
        var (collector, _) = await Collect(Options(o => o with { MaxBufferSize = 3 << 20, Backpressure = Backpressure.Block }), source,
            c => c.Stats.Flushed >= 16);

        Assert.Equal(Enumerable.Range(1, 16).Select(i => (long)i), Ids());
        Assert.InRange(collector.BufferedBytes.Peak, 1 << 20, 3 << 20);
        Assert.Equal(0, collector.BufferedBytes.Now);
    }

    [Fact]
    public async Task An_oversize_message_is_quarantined_with_its_head_and_size_and_the_connection_stays()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.OversizeFirst = 300_000;
        feed.Total = 50;
        var source = new WebSocketSource(Source(feed, o => o with { MaxMessageSize = 100_000 }));

        var (collector, warnings) = await Collect(Options(), source, c => c.Stats.Flushed >= 50);

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), Ids());
        Assert.Equal((1L, 1, 0L), (collector.Stats.Rejected, feed.Connections, collector.Stats.Errors));
        var reject = Assert.Single(Rejects());
        Assert.Equal(300_000, reject.GetProperty("size").GetInt64());
        Assert.StartsWith("{\"type\":\"big\"", reject.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(4096, reject.GetProperty("text").GetString()!.Length);
        Assert.Contains("-MaxMessageSize", reject.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_completes_the_close_handshake()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Total = 20;

        await Collect(Options(), new WebSocketSource(Source(feed)), c => c.Stats.Flushed >= 20);
        await WaitFor(() => feed.Closes.Count == 1);

        Assert.Equal(["client 1000"], feed.Closes);
    }

    [Fact]
    public async Task A_server_close_is_answered_named_with_its_code_and_counted_as_one_reconnect()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.CloseWith = (10, WebSocketCloseStatus.EndpointUnavailable);
        feed.Total = 20;
        feed.Burst = 10;

        var (collector, warnings) = await Collect(Options(), new WebSocketSource(Source(feed)), c => c.Stats.Flushed >= 20);
        await WaitFor(() => feed.Closes.Count >= 2);

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), Ids());
        Assert.Equal(["answered", "answered"], feed.Closes.Take(2));
        Assert.Contains(warnings, w => w.Contains("the server closed the connection with code 1001 (EndpointUnavailable): closing", StringComparison.Ordinal));
        Assert.Equal(feed.Connections - 1, collector.Stats.Reconnects);
    }

    [Fact]
    public async Task A_refusal_is_named_by_status_its_retry_after_is_waited_and_failed_attempts_are_not_reconnects()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Refuse = (503, "1", 2);
        feed.Total = 10;

        var (collector, warnings) = await Collect(Options(), new WebSocketSource(Source(feed, o => o with { MaxBackoff = TimeSpan.FromSeconds(5) })),
            c => c.Stats.Flushed >= 10);

        Assert.Equal(10, collector.Stats.Flushed);
        Assert.Equal(0, collector.Stats.Reconnects);
        Assert.Equal(2, collector.Stats.Errors);
        Assert.Contains(warnings, w => w.Contains("refused the connection with HTTP status 503 (ServiceUnavailable); it asked to retry after 1 s", StringComparison.Ordinal));
        // Backoff alone would retry after 25-50 ms: the server's second is what the client waited.
        Assert.True(feed.Attempts[1] - feed.Attempts[0] >= TimeSpan.FromSeconds(0.9));
        Assert.True(feed.Attempts[2] - feed.Attempts[1] >= TimeSpan.FromSeconds(0.9));
    }

    [Fact]
    public void Retry_after_is_read_as_seconds_or_a_date_and_ignored_when_unreadable()
    {
        var now = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        static Dictionary<string, IEnumerable<string>> Header(string value) => new() { ["retry-after"] = [value] };

        Assert.Equal(TimeSpan.FromSeconds(120), FeedFailure.RetryAfterOf(Header("120"), now));
        Assert.Equal(TimeSpan.FromSeconds(30), FeedFailure.RetryAfterOf(Header("Fri, 02 Jan 2026 03:04:35 GMT"), now));
        Assert.Null(FeedFailure.RetryAfterOf(Header("soon"), now));
        Assert.Null(FeedFailure.RetryAfterOf(null, now));
    }

    [Fact]
    public async Task A_handshake_that_never_completes_is_named_a_handshake_timeout_not_a_stall()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.HangHandshake = true;

        var (collector, warnings) = await Collect(Options(), new WebSocketSource(Source(feed, o => o with { StallTimeout = TimeSpan.FromMilliseconds(300) })),
            c => c.Stats.Errors >= 2);

        Assert.Contains("did not complete within 0.3 s (handshake timeout)", collector.Stats.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(warnings, w => w.Contains("stalled", StringComparison.Ordinal));
        Assert.Equal(0, collector.Stats.Reconnects);
    }

    [Fact]
    public async Task Nothing_listening_is_named_a_refused_connection()
    {
        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var uri = new Uri($"ws://127.0.0.1:{((System.Net.IPEndPoint)port.LocalEndpoint).Port}/feed");
        port.Stop();

        var (collector, _) = await Collect(Options(), new WebSocketSource(new WebSocketSourceOptions { Uri = uri, InitialBackoff = TimeSpan.FromMilliseconds(50) }),
            c => c.Stats.Errors >= 1);

        Assert.Contains("ConnectionRefused", collector.Stats.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Dropping_is_announced_once_and_its_count_given_when_it_stops()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var warnings = new List<string>();
        var drops = new DropReporter(clock, warnings.Add, TimeSpan.FromSeconds(5));

        drops.Dropped(10, 1000);
        drops.Dropped(10, 1000);
        clock.Advance(TimeSpan.FromSeconds(1));
        drops.Accepted(); // between drops: the episode goes on
        drops.Dropped(10, 1000);
        var duringEpisode = warnings.Count;
        clock.Advance(TimeSpan.FromSeconds(6));
        drops.Accepted();
        drops.Accepted();

        Assert.Equal(1, duringEpisode);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("dropping records", warnings[0], StringComparison.Ordinal);
        Assert.Equal("Stopped dropping: 3 records were dropped between 03:04:05 and 03:04:06 UTC because the queue was full.", warnings[1]);
    }

    [Fact]
    public async Task A_collector_dropping_from_a_fast_feed_says_so_and_how_many_at_stop()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Burst = 2000;
        feed.Total = 2000;
        // A buffer of one record, flushed only on time: while it waits, the rest of the burst finds no room.
        var (collector, warnings) = await Collect(Options(o => o with { MaxBufferSize = 1, FlushCount = 10_000 }),
            new WebSocketSource(Source(feed)), c => feed.Sent >= 2000 && c.Stats.Pending == 0);

        Assert.True(collector.Stats.Dropped > 0);
        Assert.Equal(2000, collector.Stats.Dropped + collector.Stats.Received);
        Assert.Single(warnings, w => w.Contains("dropping records", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith($"Stopped dropping: {collector.Stats.Dropped:N0} records", StringComparison.Ordinal));
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
