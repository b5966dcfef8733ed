using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;

namespace PipelineOps.Tests.Collection;

public sealed class CollectorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private CollectorOptions Options(Func<CollectorOptions, CollectorOptions>? change = null)
    {
        var options = new CollectorOptions
        {
            Directory = _temp.Path,
            StreamMap = new Dictionary<string, string> { ["l2update"] = "level2", ["snapshot"] = "level2" },
            FlushInterval = TimeSpan.FromMilliseconds(200),
        };
        return change is null ? options : change(options);
    }

    private static async Task<Collector> Run(CollectorOptions options, IRecordSource? source, Func<Collector, Task> body)
    {
        var collector = new Collector(options, source);
        collector.Start();
        await body(collector);
        await collector.StopAsync();
        return collector;
    }

    private static async Task Post(Collector collector, params string[] records)
    {
        foreach (var record in records)
        {
            await collector.PostAsync(Encoding.UTF8.GetBytes(record), CancellationToken.None);
        }
    }

    private string Today(string stream, string suffix = "") =>
        Path.Combine(_temp.Path, $"{stream}_{DateTime.UtcNow:yyyyMMdd}{suffix}.jsonl");

    [Fact]
    public async Task Demo_records_go_to_their_streams_and_everything_received_is_flushed_on_stop()
    {
        // Until enough has arrived rather than a fixed time: under a full test run's load 700 ms was sometimes too short.
        var collector = await Run(Options(o => o with { FlushCount = 64 }), new DemoSource(3000, seed: 1), c => WaitFor(() => c.Stats.Received > 1000));

        Assert.Equal(CollectorState.Stopped, collector.State);
        Assert.True(collector.Stats.Received > 1000);
        Assert.Equal(collector.Stats.Received, collector.Stats.Flushed);
        var lines = Directory.GetFiles(_temp.Path, "*.jsonl").SelectMany(File.ReadAllLines).ToList();
        Assert.Equal(collector.Stats.Flushed, lines.Count);
        Assert.All(lines, line => JsonDocument.Parse(line).Dispose());
        Assert.Equal(["level2", "ticker"], Directory.GetFiles(_temp.Path, "*.jsonl").Select(f => Path.GetFileName(f).Split('_')[0]).Order().ToArray());
        Assert.Equal(0, collector.WrittenByCaller); // a source's records always go through the queue to the writer
        var checkpoint = Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "level2"))!;
        Assert.Equal(new FileInfo(Today("level2")).Length, checkpoint.Offset);
        Assert.Equal(File.ReadAllLines(Today("level2")).Length, checkpoint.Records);
    }

    [Fact]
    public async Task Flushes_on_count_and_on_time_whichever_comes_first()
    {
        var collector = new Collector(Options(o => o with { Stream = "s", FlushCount = 3, FlushInterval = TimeSpan.FromMilliseconds(400) }), null);
        collector.Start();
        await Post(collector, "{\"n\":1}", "{\"n\":2}");
        await Task.Delay(100);
        var beforeDeadline = collector.Stats.Flushed;
        await Post(collector, "{\"n\":3}");
        await WaitFor(() => collector.Stats.Flushed == 3);
        await Post(collector, "{\"n\":4}");
        await WaitFor(() => collector.Stats.Flushed == 4, TimeSpan.FromSeconds(5));
        await collector.StopAsync();

        Assert.Equal(0, beforeDeadline);
        Assert.Equal(4, File.ReadAllLines(Today("s")).Length);
    }

    [Fact]
    public async Task The_checkpoint_keeps_the_last_time_and_sequence_the_records_had()
    {
        // Noted as places in the buffered lines until they are written: here each batch's last value sits after
        // another record, and a record without the fields comes after it in the same batch and leaves them as they were.
        await Run(Options(o => o with { Stream = "s", FlushCount = 3 }), null, c => Post(c,
            """{"time":"2026-11-29T10:00:00Z","sequence":1}""",
            """{"time":"2026-11-29T10:00:01Z","sequence":2}""",
            """{"other":true}""",
            """{"x":1}""",
            """{"sequence":5,"time":"2026-11-29T10:00:05Z"}""",
            """{"other":true}"""));

        var checkpoint = Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "s"))!;
        Assert.Equal(("2026-11-29T10:00:05Z", "5"), (checkpoint.LastRecordTime, checkpoint.LastSequence));
    }

    [Fact]
    public async Task The_checkpoint_keeps_a_decoded_last_value_and_one_from_an_earlier_batch()
    {
        await Run(Options(o => o with { Stream = "s", FlushCount = 2 }), null, c => Post(c,
            """{"time":"2026-11-29T10:00:00Z","sequence":1}""",
            """{"time":"2026-11-29T10:00:01Z","sequence":2}""",
            """{"time":"2026-11-29T10:00:02\u005A","x":1}""",
            """{"other":true}"""));

        var checkpoint = Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "s"))!;
        Assert.Equal(("2026-11-29T10:00:02Z", "2"), (checkpoint.LastRecordTime, checkpoint.LastSequence));
    }

    [Fact]
    public async Task A_restart_appends_and_moves_a_torn_last_line_to_a_sidecar()
    {
        var file = Today("s");
        File.WriteAllText(file, "{\"n\":1}\n{\"n\":2}\n{\"n\":3,\"to");

        var collector = await Run(Options(o => o with { Stream = "s" }), null, c => Post(c, "{\"n\":4}"));

        Assert.Equal(["{\"n\":1}", "{\"n\":2}", "{\"n\":4}"], File.ReadAllLines(file));
        Assert.Equal("{\"n\":3,\"to\n", File.ReadAllText(file + ".torn"));
        Assert.Contains(collector.TakeWarnings(), w => w.Contains("torn", StringComparison.Ordinal));
        Assert.Equal(3, Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "s"))!.Records);
    }

    [Fact]
    public async Task Lines_another_process_appends_between_flushes_are_never_overwritten_and_the_checkpoint_follows_them()
    {
        // The sink keeps the file's length instead of asking before each write; the kernel's append mode must still put
        // each write after whatever another process added.
        var file = Today("s");
        var collector = await Run(Options(o => o with { Stream = "s", FlushCount = 1 }), null, async c =>
        {
            await Post(c, "{\"n\":1}");
            await WaitFor(() => c.Stats.Flushed == 1);
            File.AppendAllText(file, "{\"other\":\"process\"}\n");
            await Post(c, "{\"n\":2}");
            await WaitFor(() => c.Stats.Flushed == 2);
        });

        Assert.Equal(["{\"n\":1}", "{\"other\":\"process\"}", "{\"n\":2}"], File.ReadAllLines(file));
        Assert.Equal(new FileInfo(file).Length, Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "s"))!.Offset);
        Assert.Contains(collector.TakeWarnings(), w => w.Contains("another process", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoResume_starts_a_sequence_numbered_file_and_never_touches_the_old_one()
    {
        var file = Today("s");
        File.WriteAllText(file, "{\"old\":true}\n");
        var before = SHA256.HashData(File.ReadAllBytes(file));

        await Run(Options(o => o with { Stream = "s", Resume = false }), null, c => Post(c, "{\"n\":1}"));
        await Run(Options(o => o with { Stream = "s", Resume = false }), null, c => Post(c, "{\"n\":2}"));

        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(file)));
        Assert.Equal("{\"n\":1}\n", File.ReadAllText(Today("s", ".1")));
        Assert.Equal("{\"n\":2}\n", File.ReadAllText(Today("s", ".2")));
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_rebuilt_from_the_data_file_with_a_warning()
    {
        File.WriteAllText(Today("s"), "{\"n\":1}\n{\"n\":2}\n");
        Directory.CreateDirectory(Path.Combine(_temp.Path, ".pipelineops"));
        File.WriteAllText(Checkpoint.PathFor(_temp.Path, "s"), "{ not json");

        var collector = await Run(Options(o => o with { Stream = "s" }), null, c => Post(c, "{\"n\":3}"));

        Assert.Contains(collector.TakeWarnings(), w => w.Contains("rebuilt", StringComparison.Ordinal));
        var checkpoint = Checkpoint.Load(Checkpoint.PathFor(_temp.Path, "s"))!;
        Assert.Equal((3L, new FileInfo(Today("s")).Length), (checkpoint.Records, checkpoint.Offset));
    }

    [Fact]
    public async Task Messages_that_are_not_one_json_object_are_quarantined_and_pretty_ones_become_one_line()
    {
        var collector = await Run(Options(o => o with { Stream = "s" }), null,
            c => Post(c, "{\"ok\":1}", "not json", "[1,2]", "{\n  \"pretty\": [1,\n 2]\n}"));

        Assert.Equal(["{\"ok\":1}", "{\"pretty\":[1,2]}"], File.ReadAllLines(Today("s")));
        Assert.Equal(2, collector.Stats.Rejected);
        var rejects = File.ReadAllLines(Directory.GetFiles(Path.Combine(_temp.Path, "_rejects")).Single());
        Assert.Equal("not json", JsonDocument.Parse(rejects[0]).RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_message_that_is_not_UTF_8_is_quarantined_byte_for_byte()
    {
        byte[] bad = [(byte)'{', (byte)'"', (byte)'v', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}'];
        var collector = await Run(Options(o => o with { Stream = "s" }), null, async c =>
        {
            await c.PostAsync(bad, CancellationToken.None);
            await Post(c, "{\"ok\":1}");
        });

        Assert.Equal(["{\"ok\":1}"], File.ReadAllLines(Today("s")));
        Assert.Equal(1, collector.Stats.Rejected);
        var reject = JsonDocument.Parse(File.ReadAllLines(Directory.GetFiles(Path.Combine(_temp.Path, "_rejects")).Single()).Single()).RootElement;
        Assert.Equal(bad, Convert.FromBase64String(reject.GetProperty("base64").GetString()!));
        Assert.Equal(JsonValueKind.Null, reject.GetProperty("text").ValueKind);
    }

    [Fact]
    public async Task Stream_names_from_field_values_cannot_make_paths()
    {
        await Run(Options(), null, c => Post(c, "{\"type\":\"../../etc/x\"}"));

        Assert.Single(Directory.GetFiles(_temp.Path, "______etc_x_*.jsonl"));
    }

    [Fact]
    public async Task Records_alternating_among_more_streams_than_the_writer_keeps_at_hand_each_reach_their_own_file()
    {
        // Twelve stream values (the writer keeps the last eight sinks by value), a number, an escaped name, a mapped
        // name and records without the field, interleaved.
        var values = Enumerable.Range(0, 12).Select(i => $"\"s{i}\"").Concat(["7", "\"\\u0073x\"", "\"l2update\"", "null"]).ToArray();
        var records = Enumerable.Range(0, 400).Select(i => values[i * 7 % values.Length] is var v && v == "null" ? $"{{\"n\":{i}}}" : $"{{\"type\":{v},\"n\":{i}}}").ToArray();

        await Run(Options(o => o with { FlushCount = 16 }), null, c => Post(c, records));

        string StreamOf(string value) => value switch { "null" => "data", "7" => "7", "\"\\u0073x\"" => "sx", "\"l2update\"" => "level2", _ => value.Trim('"') };
        foreach (var group in records.Select((r, i) => (Record: r, Stream: StreamOf(values[i * 7 % values.Length]))).GroupBy(r => r.Stream))
        {
            Assert.Equal(group.Select(r => r.Record).ToArray(), File.ReadAllLines(Today(group.Key)));
        }

        Assert.Equal(values.Length, Directory.GetFiles(_temp.Path, "*.jsonl").Length);
    }

    [Fact]
    public async Task A_second_collector_on_the_same_stream_fails_instead_of_interleaving()
    {
        var first = new Collector(Options(o => o with { Stream = "s" }), null);
        first.Start();
        await Post(first, "{\"n\":1}");
        await WaitFor(() => first.CurrentFiles.Count == 1);

        var second = new Collector(Options(o => o with { Stream = "s" }), null);
        second.Start();
        await Post(second, "{\"n\":2}");
        await second.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        await first.StopAsync();

        Assert.Equal(CollectorState.Failed, second.State);
        Assert.Contains("another process", second.Stats.LastError);
        Assert.Equal(["{\"n\":1}"], File.ReadAllLines(Today("s")));
    }

    [Fact]
    public async Task WebSocket_feed_with_bursts_drops_and_a_stall_is_followed_by_reconnects_without_loss_or_duplicates()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.DropAfter = 300;
        feed.Stall = (Connection: 2, Messages: 100);
        feed.Total = 1000;
        // A stall timeout well above scheduling hiccups on a loaded CI machine: a false stall would reconnect and lose
        // what the server had in flight on the abandoned connection, as any at-most-once feed does.
        var source = new WebSocketSource(feed.Uri, ["{\"type\":\"subscribe\",\"channels\":[\"ticker\"]}"], TimeSpan.FromSeconds(3), TimeSpan.FromMilliseconds(200));

        var collector = await Run(Options(o => o with { Stream = "feed", FlushCount = 50 }), source,
            c => WaitFor(() => c.Stats.Flushed >= 1000 || c.State != CollectorState.Running, TimeSpan.FromSeconds(60)));

        var ids = File.ReadAllLines(Today("feed")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (long)i), ids);
        // 300 then dropped, 100 then stalled, 300 then dropped, the last 300: four connections, three reconnects.
        Assert.Equal(4, feed.Connections);
        Assert.Equal(3, collector.Stats.Reconnects);
        Assert.Contains(collector.TakeWarnings(), w => w.Contains("stalled", StringComparison.Ordinal));
        Assert.Equal(4, feed.Received.Count(m => m.Contains("subscribe", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_http_endpoint_is_polled_and_each_array_element_becomes_a_record()
    {
        await using var feed = await WebSocketFeed.StartAsync();

        await Run(Options(o => o with { Stream = "prices", FlushCount = 2 }), new HttpPollSource(feed.PollUri, TimeSpan.FromMilliseconds(100)),
            c => WaitFor(() => c.Stats.Flushed >= 6));

        var records = File.ReadAllLines(Today("prices")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(records.Count >= 6);
        Assert.Equal([1, 1, 2, 2, 3, 3], records.Take(6).Select(r => r.GetProperty("poll").GetInt32()));
        Assert.Equal([1, 2], records.Take(2).Select(r => r.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task Pipeline_records_keep_their_order_whether_the_caller_or_the_writer_writes_them()
    {
        // Records queue while writes fail or before the writer is ready (here: told to); the next caller writes the
        // queued ones first, then its own, and the rest itself. (The writer wakes for 5,000 queued or in an hour: the
        // first 1,000 are still queued when the caller takes over.)
        var collector = new Collector(Options(o => o with { Stream = "s", FlushCount = 5_000, FlushInterval = TimeSpan.FromHours(1) }), null)
        {
            CallersQueue = true,
        };
        collector.Start();
        await WaitFor(() => collector.WriterReady); // its first look at the queue is over: what follows stays there
        for (var n = 0; n < 1_000; n++)
        {
            await collector.PostAsync(Record(n), CancellationToken.None);
        }

        Assert.Equal(0, collector.Stats.Flushed);
        Assert.Equal(1_000, collector.Stats.Pending);
        collector.CallersQueue = false;
        for (var n = 1_000; n < 6_000; n++)
        {
            await collector.PostAsync(Record(n), CancellationToken.None);
        }

        await collector.StopAsync();

        Assert.Equal(6_000, collector.Stats.Flushed);
        Assert.Equal(Enumerable.Range(0, 6_000), File.ReadLines(Today("s")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt32()));
        Assert.Equal(5_000, collector.WrittenByCaller); // the 1,000 queued were written by the first of these

        static byte[] Record(int n) => Encoding.UTF8.GetBytes($"{{\"n\":{n}}}");
    }

    [Fact]
    public async Task A_failing_disk_is_reported_and_retried_with_the_records_kept_in_the_buffer()
    {
        // Writes to /dev/full fail with ENOSPC, as on a full disk.
        File.CreateSymbolicLink(Today("s"), "/dev/full");
        var collector = new Collector(Options(o => o with { Stream = "s", FlushCount = 1, RetryDelay = TimeSpan.FromMilliseconds(50) }), null);
        collector.Start();
        await Post(collector, [.. Enumerable.Range(1, 500).Select(n => $"{{\"n\":{n}}}")]);
        await WaitFor(() => collector.Stats.Errors >= 3);

        Assert.Equal(CollectorState.Running, collector.State);
        Assert.Equal(0, collector.Stats.Flushed);
        Assert.Equal(500, collector.Stats.Pending);
        // The first failure stops pipeline callers writing themselves: the rest wait for the writer's retries, which
        // back off (one failed write per record posted would be 500 errors by now).
        Assert.InRange(collector.Stats.Errors, 3, 100);
        Assert.Contains("space", collector.Stats.LastError, StringComparison.OrdinalIgnoreCase);
        await collector.StopAsync(TimeSpan.FromMilliseconds(500)); // gives up on the buffer only when told to stop
    }

    [Fact]
    public void The_repeated_autumn_hour_goes_to_a_sequence_file_and_never_meets_the_first_pass()
    {
        // A zone with a DST rule (no tz database needed): +1 standard, +2 summer, back at 03:00 on the last Sunday of October.
        var rule = TimeZoneInfo.AdjustmentRule.CreateAdjustmentRule(DateTime.MinValue.Date, DateTime.MaxValue.Date, TimeSpan.FromHours(1),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 2, 0, 0), 3, 5, DayOfWeek.Sunday),
            TimeZoneInfo.TransitionTime.CreateFloatingDateRule(new DateTime(1, 1, 1, 3, 0, 0), 10, 5, DayOfWeek.Sunday));
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test/Berlin", TimeSpan.FromHours(1), "Test", "Test", "Test summer", [rule]);

        var first = Period.Of(new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), Rotation.Hourly, zone);  // 02:30 +02
        var second = Period.Of(new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), Rotation.Hourly, zone); // 02:30 +01

        Assert.Equal("20261025_02", first.Stamp(Rotation.Hourly));
        Assert.Equal(first.Stamp(Rotation.Hourly), second.Stamp(Rotation.Hourly));
        Assert.False(first.SecondPass);
        Assert.True(second.SecondPass);
        Assert.NotEqual(first, second);
        Assert.Equal("level2_20261025_02.1.jsonl", StreamFileName.For("level2", second.Stamp(Rotation.Hourly), 1, ".jsonl"));
        Assert.NotNull(PipelineOps.Files.FileNameStamp.TryParse("level2_20261025_02.1.jsonl"));
    }

    private static async Task WaitFor(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }
}
