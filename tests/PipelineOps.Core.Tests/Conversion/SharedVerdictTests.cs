using System.IO.Compression;
using System.Text;
using PipelineOps.Collection;
using PipelineOps.Collection.Continuity;
using PipelineOps.Conversion;
using PipelineOps.Files;
using PipelineOps.Tests.Shared;
using PipelineOps.Tests.Support;
using PipelineOps.Text;

namespace PipelineOps.Tests.Conversion;

/// <summary>Issue 13: the same line gets the same verdict in the converter, the collector and the continuity report,
/// and hostile files never cost more than their bad lines.</summary>
public sealed class SharedVerdictTests : IDisposable
{
    private const string Time = "\"time\":\"2025-11-20T00:00:00Z\"";
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // Lines every reader must judge alike: (line, is it a record).
    public static TheoryData<string, bool> Lines => new()
    {
        { $"{{{Time},\"a\":1}}", true },
        { $"{{{Time},\"a\":\"\\uD800\"}}", false },
        { $"{{{Time},\"\\uDFAA\":0}}", false },
        { $"{{{Time},\"v\":{{\"a\":\"\\uDFAA\"}}}}", false },
        { $"{{{Time},\"v\":[\"\\uD800\"]}}", false },
        { $"{{{Time},\"ok\":\"\\uD83D\\uDE00\"}}", true },
        { $"{{{Time},\"esc\":\"\\\\uD800\"}}", true },
        { $"{{{Time},\"big\":1e400}}", true },
        { $"{{{Time},\"a\":1,\"a\":2}}", true },
        { $"{{{Time},\"a\":1}} {{\"b\":2}}", false },
        { "[1,2]", false },
        { $"{{{Time},\"a\":tru}}", false },
        { $"\uFEFF{{{Time}}}", false },
        { $"{{{Time},\"d\":{new string('[', 70)}{new string(']', 70)}}}", false },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task A_line_gets_the_same_verdict_from_the_converter_the_collector_and_the_continuity_report(string line, bool record)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.Equal(record, JsonLineRules.Verdict(bytes) is null);

        var raw = _dir.File("raw/s_20251120.jsonl", $"{{{Time},\"first\":1}}\n{line}\n{{{Time},\"last\":1}}\n");
        using (var run = ConversionRun.Open(new ConversionOptions { Destination = Path.Combine(_dir.Path, "ds") }))
        {
            var converted = run.Convert(raw);
            Assert.Equal(ConversionStatus.Converted, converted.Status);
            Assert.Equal(record ? (3L, 0L) : (2L, 1L), (converted.Rows, converted.BadLines));
        }

        var report = new ContinuityAnalyzer("time", null, TimeSpan.FromMinutes(1)).Analyze("s", [raw]);
        Assert.Equal(record ? (3L, 0L) : (2L, 1L), (report.Records, report.BadLines));

        var collector = new Collector(new CollectorOptions { Directory = Path.Combine(_dir.Path, "collected"), Stream = "s" }, null);
        collector.Start();
        await collector.PostAsync(Encoding.UTF8.GetBytes($"{{{Time},\"first\":1}}"), CancellationToken.None);
        await collector.PostAsync(bytes, CancellationToken.None);
        await collector.StopAsync();
        Assert.Equal(CollectorState.Stopped, collector.State);
        Assert.Equal(record ? (2L, 0L) : (1L, 1L), (collector.Stats.Flushed, collector.Stats.Rejected));
    }

    [Fact]
    public async Task The_collector_rejects_a_lone_surrogate_and_flushes_what_it_received_before()
    {
        var directory = Path.Combine(_dir.Path, "d");
        var collector = new Collector(new CollectorOptions { Directory = directory, Stream = "s" }, null);
        collector.Start();
        await collector.PostAsync("{\"time\":\"2024-01-01T00:00:00Z\",\"a\":1}"u8.ToArray(), CancellationToken.None);
        await collector.PostAsync("{\"type\":\"\\uD800\",\"a\":2}"u8.ToArray(), CancellationToken.None);
        await collector.PostAsync("{\"type\":\"x\",\"a\":3}"u8.ToArray(), CancellationToken.None);
        await collector.StopAsync();

        Assert.Equal(CollectorState.Stopped, collector.State);
        Assert.Equal((2L, 1L), (collector.Stats.Flushed, collector.Stats.Rejected));
        var data = Directory.GetFiles(directory, "s_*.jsonl").Single();
        Assert.Equal(2, File.ReadAllLines(data).Length);
        Assert.Contains("lone surrogate", File.ReadAllText(Directory.GetFiles(Path.Combine(directory, "_rejects")).Single()));
    }

    [Fact]
    public void The_continuity_report_names_bad_lines_and_goes_on_to_the_next_stream()
    {
        var first = _dir.File("a_20251120.jsonl", "{\"time\":1e300}\n{\"\\uDFAA\":0}\n{\"time\":\"2025-11-20T00:00:00Z\"}\n");
        var invalidUtf8 = Path.Combine(_dir.Path, "b_20251120.jsonl");
        File.WriteAllBytes(invalidUtf8, [.. "{\"time\":\"2025-11-20T00:00:00Z\",\"v\":\""u8, 0xFF, 0xFE, .. "\"}\n"u8]);
        var analyzer = new ContinuityAnalyzer("time", null, TimeSpan.FromMinutes(1));

        var a = analyzer.Analyze("a", [first]);
        var b = analyzer.Analyze("b", [invalidUtf8]);

        Assert.Equal((1L, 2L), (a.Records, a.BadLines));
        Assert.Contains(a.Problems, p => p.Contains("line 1", StringComparison.Ordinal) && p.Contains("time"));
        Assert.Contains(a.Problems, p => p.Contains("line 2", StringComparison.Ordinal) && p.Contains("surrogate"));
        Assert.Equal((0L, 1L), (b.Records, b.BadLines));
        Assert.Contains(b.Problems, p => p.Contains("invalid UTF-8"));
    }

    [Fact]
    public void Fifos_and_devices_are_skipped_with_a_reason_and_links_are_judged_by_their_target()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fifo = Path.Combine(_dir.Path, "pipe_20251120.jsonl");
        Assert.Equal(0, Mkfifo(fifo, 0x1B6));
        var zero = Path.Combine(_dir.Path, "zero_20251120.jsonl");
        File.CreateSymbolicLink(zero, "/dev/zero");
        var target = _dir.File("data/real_20251120.jsonl", "{\"time\":\"2025-11-20T00:00:00Z\"}\n", DateTime.UtcNow.AddDays(-1));
        var link = Path.Combine(_dir.Path, "link_20251120.jsonl");
        File.CreateSymbolicLink(link, target);

        var report = new ContinuityAnalyzer("time", null, TimeSpan.FromMinutes(1)).Analyze("x", [fifo, zero, link]);
        var inspector = new FileActivityInspector(new FileActivityOptions { IncludeLatest = true, QuietPeriod = TimeSpan.Zero });
        var fifoActivity = inspector.Inspect(new FileInfo(fifo));
        var zeroActivity = inspector.Inspect(new FileInfo(zero));
        var linkActivity = inspector.Inspect(new FileInfo(link));

        Assert.Equal(1, report.Records);
        Assert.Contains(report.Problems, p => p.Contains("FIFO"));
        Assert.Contains(report.Problems, p => p.Contains("character device"));
        Assert.Equal([ActivityReason.NotRegularFile], fifoActivity.Reasons);
        Assert.Equal("FIFO", fifoActivity.NotRegularKind);
        Assert.Equal([ActivityReason.NotRegularFile], zeroActivity.Reasons);
        Assert.False(linkActivity.IsActive, string.Join(",", linkActivity.Reasons));
        Assert.True(linkActivity.IsLink);
        Assert.Equal(new FileInfo(target).Length, linkActivity.Length);
    }

    /// <summary>
    /// Many damaged files: for each, rows + bad lines + torn tail account for every line, every row read back holds
    /// exactly the values written, damaged gzip publishes nothing, and the whole run stays within a memory bound.
    /// ISSUE13_CORPUS=n runs n files instead of 24.
    /// </summary>
    [Fact]
    public void A_generated_corpus_of_damaged_files_loses_no_line_and_changes_no_value()
    {
        var files = int.TryParse(Environment.GetEnvironmentVariable("ISSUE13_CORPUS"), out var n) ? n : 24;
        var random = new Random(13);
        var destination = Path.Combine(_dir.Path, "corpus");
        var expected = new Dictionary<long, string>();
        var id = 0L;
        using var run = ConversionRun.Open(new ConversionOptions { Destination = destination, MaxLineBytes = 4096 });
        for (var f = 0; f < files; f++)
        {
            var (text, records, bad, blank) = DamagedText(random, ref id, expected, random.Next(50, 400));
            var kind = f % 6;
            var torn = kind == 1;
            if (torn)
            {
                text += "{\"id\":" + id + ",\"s\":\"cut he";
            }
            else if (kind == 2)
            {
                text += $"{{\"id\":{id},\"s\":\"last\",\"n\":1}}"; // a whole last record without its newline
                expected[id++] = "last|1";
                records++;
            }

            var bytes = Encoding.UTF8.GetBytes(text);
            var name = $"c{f}_20251120.jsonl";
            if (kind is 3 or 4 or 5)
            {
                bytes = Gzip(bytes);
                name += ".gz";
            }

            if (kind == 4)
            {
                for (var i = 0; i < 16; i++)
                {
                    bytes[bytes.Length / 2 + i] ^= 0x5A;
                }
            }

            var source = Path.Combine(_dir.Path, "raw", name);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            if (kind == 5)
            {
                // Truncated: the expected lines are those of what the cut stream still holds.
                bytes = bytes[..(bytes.Length * 2 / 3)];
                var prefix = Gunzip(bytes);
                var lines = prefix.Split('\n');
                var whole = lines[..^1];
                records = whole.Count(l => Judge(l) == true);
                bad = whole.Count(l => Judge(l) == false);
                torn = Judge(lines[^1]) == false;
                records += Judge(lines[^1]) == true ? 1 : 0;
            }

            File.WriteAllBytes(source, bytes);
            var result = run.Convert(source);

            if (kind == 4)
            {
                Assert.Equal(ConversionStatus.Failed, result.Status);
                Assert.Empty(result.Outputs);
                continue;
            }

            Assert.True(result.Status == ConversionStatus.Converted, $"{name}: {result.Status} {result.Reason}");
            Assert.True((records, bad, torn) == (result.Rows, result.BadLines, result.TornTail),
                $"{name}: expected {records} rows, {bad} bad, torn {torn}; got {result.Rows}, {result.BadLines}, {result.TornTail} ({blank} blank)");
        }

        // No value changed: every row read back is one that was written, with its exact text.
        var rows = DuckDb.Query($"select id, s, n::varchar from {DuckDb.Dataset(destination)}");
        Assert.Equal(rows.Count, rows.Select(r => (long)r[0]!).Distinct().Count());
        foreach (var row in rows)
        {
            Assert.Equal(expected[(long)row[0]!], $"{row[1]}|{row[2]}");
        }

        Assert.InRange(GC.GetGCMemoryInfo().HeapSizeBytes, 0, 1L << 30);
    }

    /// <summary>The oracle: null for a blank line, true for a record, false for a bad line (4096 bytes at most).</summary>
    private static bool? Judge(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line.EndsWith('\r') ? line[..^1] : line);
        return JsonLineRules.IsBlank(bytes) ? null : bytes.Length <= 4096 && JsonLineRules.Verdict(bytes) is null;
    }

    /// <summary>Lines of good records (unique ids) and damaged lines; counts of what each is.</summary>
    private static (string Text, long Records, long Bad, long Blank) DamagedText(Random random, ref long id, Dictionary<long, string> expected, int count)
    {
        var builder = new StringBuilder();
        long records = 0, bad = 0, blank = 0;
        string[] damage =
        [
            "{\"id\":-1,\"s\":\"\\uD800\"}", "{\"id\":-1,\"s\":\"a\u0000b\"}", "\u0000", "\uFEFF{\"id\":-1}", "{\"id\":-1,\"s\":\"x\"",
            "{\"id\":-1}\r{\"id\":-2}", "not json", "[{\"id\":-1}]", "{\"id\":-1,\"s\":\"\\uDFAA\\uD800\"}", "{\"id\":-1} x",
            "{\"id\":-1,\"s\":\"" + new string('x', 5000) + "\"}",
        ];
        for (var i = 0; i < count; i++)
        {
            var ending = random.Next(4) == 0 ? "\r\n" : "\n";
            var pick = i == 0 ? 0 : random.Next(10); // the first line is a record: a BOM there would be dropped
            if (pick < 7)
            {
                var s = RandomText(random);
                var number = random.Next(3) switch { 0 => "1e400", 1 => "123456789012345678901234567890", _ => "-0.000125" };
                var json = System.Text.Json.JsonSerializer.Serialize(s);
                builder.Append($"{{\"id\":{id},\"s\":{json},\"n\":{number}}}").Append(ending);
                expected[id++] = $"{s}|{number}";
                records++;
            }
            else if (pick < 9)
            {
                builder.Append(damage[random.Next(damage.Length)]).Append(ending);
                bad++;
            }
            else
            {
                builder.Append(random.Next(2) == 0 ? "" : " \t").Append(ending);
                blank++;
            }
        }

        return (builder.ToString(), records, bad, blank);
    }

    private static string RandomText(Random random)
    {
        string[] parts = ["plain", "café", "😀", "\"quoted\"", "back\\slash", "tab\there", "日本", "\u2028", "%2F/=", "\\uD800"];
        return string.Concat(Enumerable.Range(0, random.Next(0, 5)).Select(_ => parts[random.Next(parts.Length)]));
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static string Gunzip(byte[] data)
    {
        using var gzip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, int mode);
}
