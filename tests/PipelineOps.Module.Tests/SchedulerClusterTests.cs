using System.Globalization;
using PipelineOps.Module.Tests.Support;
using PipelineOps.Tests.Shared;
using Xunit.Abstractions;

namespace PipelineOps.Module.Tests;

/// <summary>The scheduler clustered over PostgreSQL, in real pipelineops processes against a server this class starts
/// (tests/Shared/PostgresServer.cs): the schema is created on first use by nodes starting together, each firing runs
/// on exactly one node, and a node killed mid-run has its run recovered by another, nothing converted twice.</summary>
public sealed class SchedulerClusterTests : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly PostgresFixture _postgres;
    private readonly ITestOutputHelper _log;
    private readonly string _root = Directory.CreateTempSubdirectory("pipelineops-cluster-").FullName;

    public SchedulerClusterTests(PostgresFixture postgres, ITestOutputHelper log)
    {
        _postgres = postgres;
        _log = log;
    }

    private PostgresServer Server => _postgres.Server;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private HostResult Host(string command)
    {
        var result = HostProcess.Run("-Command", command);
        _log.WriteLine($"$ {command}\n{result.Stdout}{result.Stderr}");
        return result;
    }

    private static HostProcess Node(string connectionString) =>
        HostProcess.Start(["-Command", $"Start-PipelineScheduler -ConnectionString '{connectionString}' -Wait"]);

    private static void WaitFor(Func<bool> condition, string what, int seconds = 180)
    {
        // A safety net for a stuck process, not a timing assertion: the wait ends as soon as the condition holds.
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            Thread.Sleep(250);
        }
    }

    private long Scalar(string sql, string database) => long.Parse(Server.Query(sql, database), CultureInfo.InvariantCulture);

    /// <summary>The nodes that have checked in to the cluster (Quartz's scheduler state table).</summary>
    private long Nodes(string database) =>
        Server.Query("SELECT to_regclass('qrtz_scheduler_state') IS NOT NULL", database) == "t" ? Scalar("SELECT count(*) FROM qrtz_scheduler_state", database) : 0;

    private static void Stop(IEnumerable<HostProcess> nodes)
    {
        foreach (var node in nodes)
        {
            node.Signal("TERM");
        }

        foreach (var node in nodes)
        {
            Assert.True(node.WaitForExitOrTimeout(TimeSpan.FromSeconds(60)), "a node did not stop on SIGTERM");
        }
    }

    [PostgresFact]
    public void Three_nodes_run_each_of_50_firings_exactly_once()
    {
        const string database = "firings";
        var connection = Server.NewDatabase(database);
        Server.Query("CREATE TABLE firings (fire_ms BIGINT NOT NULL, node TEXT NOT NULL, run_id TEXT NOT NULL)", database);

        // Three nodes start together on an empty database: each creates what is missing of the schema.
        var nodes = Enumerable.Range(0, 3).Select(_ => Node(connection)).ToList();
        try
        {
            WaitFor(() => Nodes(database) == 3, "three nodes to check in");

            // One firing a second; each inserts the firing it is ($PipelineJobRun.ScheduledStart) into the table.
            Assert.Equal(0, Host($$"""
                Register-PipelineJob tick -Every 1s -StartAt ([DateTime]::UtcNow.AddSeconds(2)) -ConnectionString '{{connection}}' -ScriptBlock {
                    param($psql, $port)
                    $sql = "INSERT INTO firings VALUES ($($PipelineJobRun.ScheduledStart.ToUnixTimeMilliseconds()), '$($PipelineJobRun.Node)', '$($PipelineJobRun.Id)')"
                    & $psql -h 127.0.0.1 -p $port -U postgres -d firings -q -c $sql
                    if ($LASTEXITCODE) { throw "psql failed: $LASTEXITCODE" }
                } -ArgumentList '{{Server.Psql}}', {{Server.Port}} | Out-Null
                """).ExitCode);

            // The first 50 firings are done when each has a finished record (ran, or skipped while the previous ran).
            WaitFor(() => Scalar($"SELECT count(*) FROM pipelineops_job_history WHERE status <> 'Running' AND {InFirst50}", database) >= 50, "50 firings");
        }
        finally
        {
            Stop(nodes);
            foreach (var node in nodes)
            {
                _log.WriteLine($"node {node.Id}: {node.WaitForExit().Stderr}");
                node.Dispose();
            }
        }

        _log.WriteLine(Server.Query($"SELECT status, node, count(*), max(start_ms - scheduled_ms) AS late_ms FROM pipelineops_job_history WHERE {InFirst50} GROUP BY 1, 2 ORDER BY 1, 2", database));
        var records = Scalar($"SELECT count(*) FROM pipelineops_job_history WHERE {InFirst50}", database);
        var firings = Scalar($"SELECT count(DISTINCT scheduled_ms) FROM pipelineops_job_history WHERE {InFirst50} AND (scheduled_ms - {First}) % 1000 = 0", database);
        var succeeded = Scalar($"SELECT count(*) FROM pipelineops_job_history WHERE status = 'Succeeded' AND {InFirst50}", database);
        var skipped = Scalar($"SELECT count(*) FROM pipelineops_job_history WHERE status = 'Skipped' AND {InFirst50}", database);
        var ran = Scalar($"SELECT count(*) FROM firings WHERE fire_ms < {First} + 50000", database);
        var distinct = Scalar($"SELECT count(DISTINCT fire_ms) FROM firings WHERE fire_ms < {First} + 50000", database);
        var matched = Scalar($"SELECT count(*) FROM firings f JOIN pipelineops_job_history h ON h.id = f.run_id AND h.scheduled_ms = f.fire_ms AND h.status = 'Succeeded' WHERE f.fire_ms < {First} + 50000", database);

        // 50 firings one second apart, each with one record: it ran exactly once (one row in the job's table, written
        // by the run its record names) or was skipped because the previous run was still going (the overlap rule
        // holds across the cluster). None failed or ran twice.
        Assert.Equal(50, records);
        Assert.Equal(50, firings);
        Assert.Equal(50, succeeded + skipped);
        Assert.Equal(succeeded, ran);
        Assert.Equal(ran, distinct);
        Assert.Equal(ran, matched);
        // How many ran and how many were skipped depends on how long a run takes on this machine (a fresh runspace and
        // a psql process each); under a heavy load most are skipped, which is the overlap rule working.
        Assert.True(ran > 0, $"none of 50 firings ran ({skipped} skipped)");
    }

    private const string First = "(SELECT min(scheduled_ms) FROM pipelineops_job_history WHERE job = 'tick')";

    private const string InFirst50 = "job = 'tick' AND scheduled_ms < " + First + " + 50000";

    [PostgresFact]
    public void A_node_killed_mid_run_has_its_run_recovered_by_another_and_nothing_is_converted_twice()
    {
        const string database = "recovery";
        var connection = Server.NewDatabase(database);
        var raw = Directory.CreateDirectory(Path.Combine(_root, "raw")).FullName;
        var dataset = Path.Combine(_root, "dataset");
        for (var day = 1; day <= 3; day++)
        {
            var file = Path.Combine(raw, $"ticker_2025111{day}.jsonl");
            File.WriteAllLines(file, Enumerable.Range(0, 200).Select(i =>
                $$"""{"type":"ticker","seq":{{day * 1000 + i}},"time":"2025-11-1{{day}}T00:{{i / 60:00}}:{{i % 60:00}}.000000Z"}"""));
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-2));
        }

        // The job converts, then (while the hold file exists) stays busy so its node can be killed mid-run.
        var hold = Path.Combine(_root, "hold");
        var started = Path.Combine(_root, "started");
        var done = Path.Combine(_root, "done");
        File.WriteAllText(hold, "");
        var nodes = new[] { Node(connection), Node(connection) };
        try
        {
            WaitFor(() => Nodes(database) == 2, "two nodes to check in");
            Assert.Equal(0, Host($$"""
                Register-PipelineJob convert -Once -ConnectionString '{{connection}}' -ScriptBlock {
                    param($raw, $dataset, $hold, $started, $done)
                    Convert-JsonlToParquet -LiteralPath $raw -Destination $dataset -IncludeLatest | Out-Null
                    [IO.File]::WriteAllText($started, "$PID")
                    while ([IO.File]::Exists($hold)) { [Threading.Thread]::Sleep(100) }
                    [IO.File]::WriteAllText($done, "$PID")
                } -ArgumentList '{{raw}}', '{{dataset}}', '{{hold}}', '{{started}}', '{{done}}' | Out-Null
                """).ExitCode);

            WaitFor(() => File.Exists(started) && File.ReadAllText(started).Length > 0, "the first attempt to convert");
            var runner = int.Parse(File.ReadAllText(started), CultureInfo.InvariantCulture);
            var victim = Assert.Single(nodes, n => n.Id == runner);
            var survivor = Assert.Single(nodes, n => n.Id != runner);
            victim.KillHard();
            File.Delete(hold);

            // The survivor finds the dead node's run (Quartz's cluster check-in) and runs it again as Recovered.
            WaitFor(() => File.Exists(done) && File.ReadAllText(done) == survivor.Id.ToString(CultureInfo.InvariantCulture), "the recovered run to finish");
            WaitFor(() => Scalar("SELECT count(*) FROM pipelineops_job_history WHERE status = 'Succeeded' AND trigger_kind = 'Recovered'", database) == 1, "the recovered run's record");
            Stop([survivor]);

            var history = Server.Query("SELECT trigger_kind, status, node FROM pipelineops_job_history WHERE job = 'convert' ORDER BY start_ms", database);
            _log.WriteLine(history);
            var runs = history.Split('\n');
            Assert.Equal(2, runs.Length);
            Assert.Equal($"Scheduled|Interrupted|{Environment.MachineName}:{victim.Id}", runs[0]);
            Assert.Equal($"Recovered|Succeeded|{Environment.MachineName}:{survivor.Id}", runs[1]);
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }

        Assert.Equal(600L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(*) FROM {DuckDb.Dataset(dataset)}"), CultureInfo.InvariantCulture));
        Assert.Equal(600L, Convert.ToInt64(DuckDb.Scalar($"SELECT count(DISTINCT seq) FROM {DuckDb.Dataset(dataset)}"), CultureInfo.InvariantCulture));
    }
}
