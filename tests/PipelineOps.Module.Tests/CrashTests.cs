using System.Globalization;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;
using Xunit.Abstractions;

namespace PipelineOps.Module.Tests;

/// <summary>
/// Kills a converting pipelineops process with SIGKILL at random moments, again and again, and checks after every
/// kill that readers can see no partial file and no duplicate record; then a normal run yields exactly the input.
/// </summary>
public sealed class CrashTests : IDisposable
{
    private const int Sources = 4;
    private const int LinesPerSource = 60_000;
    private const int Kills = 10;

    private readonly ITestOutputHelper _log;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pipelineops-tests", "crash-" + Guid.NewGuid().ToString("N"));

    public CrashTests(ITestOutputHelper log)
    {
        _log = log;
        Directory.CreateDirectory(Raw);
        for (var source = 0; source < Sources; source++)
        {
            var path = Path.Combine(Raw, $"level2_202511{10 + source}.jsonl");
            using (var writer = new StreamWriter(path))
            {
                var day = new DateTime(2025, 11, 10 + source, 0, 0, 0, DateTimeKind.Utc);
                for (var i = 0; i < LinesPerSource; i++)
                {
                    var time = day.AddMilliseconds(i * 1000.0).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
                    writer.Write($$"""{"type":"l2update","seq":{{source * 1_000_000 + i}},"product_id":"BTC-USD","changes":[["buy","{{91000 + i % 500}}.50","0.{{i % 97}}"]],"time":"{{time}}"}""");
                    writer.Write('\n');
                }
            }

            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-2));
        }
    }

    private string Raw => Path.Combine(_root, "raw");

    private string Dataset => Path.Combine(_root, "dataset");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string[] Convert(bool force) =>
    [
        "-Command",
        $"Convert-JsonlToParquet -LiteralPath '{Raw}' -Destination '{Dataset}' -IncludeLatest -RowGroupSize 5000{(force ? " -Force" : "")} | Out-Null",
    ];

    [Fact]
    public void No_kill_at_any_moment_leaves_a_partial_or_duplicate_record_visible_and_a_rerun_completes_exactly()
    {
        var seed = Environment.TickCount;
        _log.WriteLine($"seed {seed}");
        var random = new Random(seed);
        // Kill moments are drawn from how long an uncut run takes here, so they keep landing mid-run however fast the
        // converter (and the machine) is.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var uncut = HostProcess.Run(Convert(force: true));
        Assert.True(uncut.ExitCode == 0, uncut.Stderr);
        var runMs = (int)clock.ElapsedMilliseconds;
        _log.WriteLine($"an uncut run took {runMs} ms");
        CheckWhatReadersSee("after an uncut run");
        // A run that ends before its kill shows the runs are faster now than the timed one was (the machine's load
        // changes): later moments are drawn from its time, and it does not count as a kill.
        var killedMidRun = 0;
        for (var attempt = 0; killedMidRun < Kills && attempt < 2 * Kills; attempt++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var host = HostProcess.Start(Convert(force: true));
            var delay = random.Next(150, Math.Max(300, runMs * 9 / 10));
            if (!host.WaitForExitOrTimeout(TimeSpan.FromMilliseconds(delay)))
            {
                host.KillHard();
                killedMidRun++;
            }
            else
            {
                runMs = Math.Min(runMs, (int)started.ElapsedMilliseconds);
                _log.WriteLine($"attempt {attempt} ended before its kill at {delay} ms; runs now taken to last {runMs} ms");
            }

            CheckWhatReadersSee($"after attempt {attempt} (kill at {delay} ms)");
        }

        Assert.True(killedMidRun >= Kills / 2, $"only {killedMidRun} of {Kills} kills landed while converting; the test did not test much");

        var final = HostProcess.Run(Convert(force: false));
        Assert.True(final.ExitCode == 0, final.Stderr);
        var visible = CheckWhatReadersSee("after the final run");
        Assert.Equal(Sources, visible);
        Assert.Equal((long)Sources * LinesPerSource, DuckDb.Scalar($"select count(*) from {DuckDb.Dataset(Dataset)}"));
        Assert.Empty(Directory.GetFiles(Dataset, ".*.tmp-*", SearchOption.AllDirectories));
    }

    /// <summary>Every visible file is complete (all of its source's records) and no record appears twice.</summary>
    private int CheckWhatReadersSee(string when)
    {
        if (!Directory.Exists(Dataset))
        {
            return 0;
        }

        var visible = Directory.GetFiles(Dataset, "*.parquet", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
        foreach (var file in visible)
        {
            var row = DuckDb.Query($"select count(*), count(distinct seq) from read_parquet('{file}')").Single();
            Assert.True((long)row[0]! == LinesPerSource && (long)row[1]! == LinesPerSource,
                $"{when}: {file} holds {row[0]} rows ({row[1]} distinct), not the {LinesPerSource} of its source");
        }

        if (visible.Length > 0)
        {
            var totals = DuckDb.Query($"select count(*), count(distinct seq) from {DuckDb.Dataset(Dataset)}").Single();
            Assert.True(totals[0]!.Equals(totals[1]), $"{when}: {totals[0]} rows but {totals[1]} distinct records");
        }

        return visible.Length;
    }
}
