using System.Text.Json;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;
using Xunit.Abstractions;

namespace PipelineOps.Module.Tests;

/// <summary>
/// Start-Collector -Format Parquet in a pipelineops process on a real WebSocket feed, SIGKILLed at random moments and
/// restarted (each start runs Move-OrphanSegment on its directory first). DuckDB then reads ready/ with Hive
/// partitions: every record any run reported flushed is there, none twice, every file whole.
/// PIPELINEOPS_SEGMENT_KILLS sets the number of kills (20 by default) for a longer local run.
/// </summary>
public sealed class SegmentCrashTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "segment-crash-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task No_kill_loses_a_row_reported_flushed_or_duplicates_one_and_ready_holds_only_whole_files()
    {
        var kills = int.TryParse(Environment.GetEnvironmentVariable("PIPELINEOPS_SEGMENT_KILLS"), out var n) ? n : 20;
        await using var feed = await WebSocketFeed.StartAsync();
        feed.Burst = 20;
        feed.Pause = TimeSpan.FromMilliseconds(2);
        var seed = Environment.TickCount;
        log.WriteLine($"seed {seed}, {kills} kills");
        var random = new Random(seed);
        // Two partitions (the feed's connection number alternates between odd and even runs) and small segments, so
        // kills land before, during and after segments are closed into ready/.
        var collect = $"Start-Collector -Uri '{feed.Uri}' -Directory '{_dir}' -Stream feed -Format Parquet -PartitionBy connection " +
                      "-SequenceField id -FlushCount 37 -FlushInterval 100ms -SegmentMaxSize 20KB -Wait | Out-Null";
        var reportedLast = new List<long>();
        long reportedFlushed = 0;

        for (var kill = 0; kill < kills; kill++)
        {
            var connections = feed.Connections;
            using var host = HostProcess.Start(["-Command", collect]);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (kill == 0 && ReadCheckpoint() is null && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }

            // Every other kill lands while the run collects (it has connected); the rest may land anywhere, start-up
            // and the recovery of the last run's segments included. Starting the engine takes longer than the random
            // wait on a busy machine, so without waiting for the connection nearly every kill hit the start-up.
            var whileCollecting = kill % 2 == 0;
            while (whileCollecting && feed.Connections == connections && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Thread.Sleep(random.Next(0, 1200));
            if (ReadCheckpoint() is { } checkpoint)
            {
                (reportedFlushed, var last) = checkpoint;
                reportedLast.Add(last);
            }

            host.KillHard();
            host.WaitForExitOrTimeout(TimeSpan.FromSeconds(10));
        }

        // A last clean run: its start closes what the last kill left, SIGTERM closes its own segments.
        using (var host = HostProcess.Start(["-Command", collect]))
        {
            var enough = (ReadCheckpoint()?.Flushed ?? 0) + 500;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((ReadCheckpoint()?.Flushed ?? 0) < enough && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }

            host.Signal("TERM");
            Assert.True(host.WaitForExitOrTimeout(TimeSpan.FromSeconds(30)));
        }

        var final = ReadCheckpoint()!.Value;
        Assert.True(final.Flushed >= reportedFlushed);
        var ready = Path.Combine(_dir, "ready");
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "active"), "*", SearchOption.AllDirectories));
        var dataset = DuckDb.Dataset(ready);
        var rows = (long)DuckDb.Scalar($"SELECT count(*) FROM {dataset}")!;
        var distinct = (long)DuckDb.Scalar($"SELECT count(DISTINCT id) FROM {dataset}")!;
        Assert.Equal(distinct, rows); // no id twice
        // Every row reported flushed over all runs (a kill between a flush and its checkpoint leaves more, never fewer).
        Assert.True(rows >= final.Flushed, $"{rows} rows in ready/, {final.Flushed} reported flushed");
        foreach (var id in reportedLast.Append(final.LastId).Distinct())
        {
            Assert.Equal(1L, DuckDb.Scalar($"SELECT count(*) FROM {dataset} WHERE id = {id}"));
        }

        Assert.Equal(0L, DuckDb.Scalar($"SELECT count(*) FROM {dataset} WHERE connection IS NULL"));
        // Compactions killed mid-way leave scratch folders; each start removes the ones no live compaction holds.
        var scratch = Path.Combine(_dir, ".pipelineops", "compact");
        Assert.Empty(Directory.Exists(scratch) ? Directory.GetFiles(scratch, "lock", SearchOption.AllDirectories) : []);
        using var ps = new PowerShellSession();
        var reports = ps.Run("Test-ParquetFile $r -Recurse -Deep", ("r", ready));
        Assert.Empty(reports.Errors);
        Assert.All(reports.Output, r => Assert.Equal(true, r.Properties["IsValid"].Value));
        var quarantined = Directory.Exists(Path.Combine(_dir, "quarantine"))
            ? Directory.GetFiles(Path.Combine(_dir, "quarantine"), "*", SearchOption.AllDirectories).Length : 0;
        log.WriteLine($"{rows} rows in {reports.Output.Count} files of ready/ ({quarantined} torn journals kept in quarantine/), " +
                      $"{feed.Sent} sent over {feed.Connections} connections");
    }

    private (long Flushed, long LastId)? ReadCheckpoint()
    {
        var path = Path.Combine(_dir, ".pipelineops", "feed.checkpoint.json");
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(path));
            var last = json.RootElement.GetProperty("LastSequence").GetString();
            return (json.RootElement.GetProperty("TotalFlushed").GetInt64(), long.Parse(last ?? "0", System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
