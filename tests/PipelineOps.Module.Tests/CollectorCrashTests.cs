using System.Text.Json;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;
using Xunit.Abstractions;

namespace PipelineOps.Module.Tests;

/// <summary>
/// Runs Start-Collector in a pipelineops process against a real WebSocket feed, kills it with SIGKILL at random
/// moments, restarts it, and checks every time against what the feed sent and what the checkpoint reported flushed:
/// nothing flushed is lost, nothing is duplicated, no torn line stays inside a data file, one file per period.
/// </summary>
public sealed class CollectorCrashTests(ITestOutputHelper log) : IDisposable
{
    private const int Kills = 8;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "collector-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task No_kill_loses_a_flushed_record_duplicates_one_or_leaves_a_torn_line_inside_a_file()
    {
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Burst = 20;
        feed.Pause = TimeSpan.FromMilliseconds(2);
        var seed = Environment.TickCount;
        log.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var collect = $"Start-Collector -Uri '{feed.Uri}' -Directory '{_dir}' -Stream feed -FlushCount 37 -FlushInterval 100ms -Wait | Out-Null";
        long reportedFlushed = 0, reportedOffset = 0;

        for (var kill = 0; kill < Kills; kill++)
        {
            using (var host = HostProcess.Start(["-Command", collect]))
            {
                // The first run must get going (the engine takes a second to start); later kills may land anywhere,
                // start-up included.
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (kill == 0 && ReadCheckpoint() is null && DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }

                Thread.Sleep(random.Next(0, 1500));
                (reportedFlushed, reportedOffset) = ReadCheckpoint() ?? (reportedFlushed, reportedOffset);
                host.KillHard();
                host.WaitForExitOrTimeout(TimeSpan.FromSeconds(10));
            }

            var data = DataFile();
            Assert.True(new FileInfo(data).Length >= reportedOffset, $"kill {kill}: file shorter than the checkpoint reported flushed");
            var ids = CompleteLines(data).Select(Id).ToList();
            Assert.True(ids.Count >= reportedFlushed, $"kill {kill}: {ids.Count} records, checkpoint reported {reportedFlushed}");
            AssertIncreasing(ids, $"kill {kill}");
        }

        // A last clean run: SIGTERM stops it gracefully, and the restart has moved any torn tail aside first.
        using (var host = HostProcess.Start(["-Command", collect]))
        {
            // Run until it has flushed records of its own and the file holds enough to judge (the kills above may all
            // have landed during start-up).
            var enough = Math.Max(ReadCheckpoint()?.Records ?? 0, 1000);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((ReadCheckpoint()?.Records ?? 0) <= enough && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }

            host.Signal("TERM");
            Assert.True(host.WaitForExitOrTimeout(TimeSpan.FromSeconds(30)));
        }

        var file = DataFile();
        var lines = File.ReadAllLines(file);
        Assert.True(File.ReadAllBytes(file)[^1] == (byte)'\n', "the data file ends with a whole line");
        var all = lines.Select(Id).ToList();
        AssertIncreasing(all, "final");
        Assert.Equal(ReadCheckpoint()!.Value.Records, all.Count);
        Assert.True(all.Count > 1000, $"only {all.Count} records were collected");
        Assert.Single(Directory.GetFiles(_dir, "feed_*.jsonl")); // one file per period (a run across midnight would make two)
        foreach (var torn in Directory.GetFiles(_dir, "*.torn"))
        {
            log.WriteLine($"{torn}: {File.ReadAllLines(torn).Length} torn tail(s) moved aside");
        }

        log.WriteLine($"{all.Count} records kept of {feed.Sent} sent over {feed.Connections} connections");
    }

    private string DataFile() => Directory.GetFiles(_dir, "feed_*.jsonl").Single();

    private (long Records, long Offset)? ReadCheckpoint()
    {
        var path = Path.Combine(_dir, ".pipelineops", "feed.checkpoint.json");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            return (json.RootElement.GetProperty("TotalFlushed").GetInt64(), json.RootElement.GetProperty("Offset").GetInt64());
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The newline-terminated lines; a torn tail (the kill came mid-write) is left for the next start to move aside.</summary>
    private static IEnumerable<string> CompleteLines(string path)
    {
        var text = File.ReadAllText(path);
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }

    private static long Id(string line) => JsonDocument.Parse(line).RootElement.GetProperty("id").GetInt64();

    private static void AssertIncreasing(List<long> ids, string when)
    {
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.True(ids[i] > ids[i - 1], $"{when}: id {ids[i]} after {ids[i - 1]} (duplicate or reordered)");
        }
    }
}
