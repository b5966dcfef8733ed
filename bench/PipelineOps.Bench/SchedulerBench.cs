using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using PipelineOps.Scheduling;
using PipelineOps.Tests.Shared;

namespace PipelineOps.Bench;

/// <summary>
/// The scheduler's firing accuracy and idle cost. Lateness: 1,000 registered jobs, each every minute, their starts
/// spread evenly over the minute (about 17 firings a second), on SQLite and on a PostgreSQL cluster store; each run is
/// a no-op that notes when it began, so lateness is the scheduler's own (Quartz's acquisition and our history write),
/// not a job's runspace. Idle: a started scheduler with 1,000 jobs due tomorrow, its CPU time and working set over a
/// quiet window. Printed beside cron's and systemd timers' documented resolution.
/// </summary>
internal static class SchedulerBench
{
    public static void Run(BenchOptions options)
    {
        var jobs = options.Int("jobs", 1000);
        var seconds = options.Int("seconds", 60);
        var idleSeconds = options.Int("idle-seconds", 30);
        var only = options.String("only", "");
        var folder = Directory.CreateTempSubdirectory("pipelineops-bench-scheduler-").FullName;
        Console.WriteLine($"load average at start: {LoadAverage()}");
        Console.WriteLine($"{jobs} jobs every 60 s, starts spread over the minute; lateness measured for {seconds} s; idle for {idleSeconds} s");
        Console.WriteLine();
        Console.WriteLine("| store | firings | lateness p50 | p99 | max | idle CPU | idle CPU % of a core | working set (idle) | working set before |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        try
        {
            if (only is "" or "sqlite")
            {
                Row("SQLite", SchedulerStoreOptions.Sqlite(Path.Combine(folder, "lateness.db")), SchedulerStoreOptions.Sqlite(Path.Combine(folder, "idle.db")), jobs, seconds, idleSeconds);
            }

            if (only is "" or "postgresql")
            {
                if (PostgresServer.Unavailable is { } reason)
                {
                    Console.WriteLine($"| PostgreSQL | skipped: {reason} | | | | | | | |");
                }
                else
                {
                    using var server = PostgresServer.Start(durable: true);
                    Row("PostgreSQL (clustered, fsync on)", SchedulerStoreOptions.PostgreSql(server.NewDatabase("lateness")), SchedulerStoreOptions.PostgreSql(server.NewDatabase("idle")), jobs, seconds, idleSeconds);
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        if (only is "" or "process")
        {
            FirstFiring(options.Int("repeat", 3));
        }

        Console.WriteLine("| cron (documented) | | 1 min resolution: jobs start in the minute they are due, at its first second | | | | | | |");
        Console.WriteLine("| systemd timer (documented) | | AccuracySec=1min by default (elapses anywhere in that window); 1 s at best unless AccuracySec=1us | | | | | | |");
        Console.WriteLine();
        Console.WriteLine($"load average at end: {LoadAverage()}");
    }

    private static void Row(string name, SchedulerStoreOptions lateStore, SchedulerStoreOptions idleStore, int jobs, int seconds, int idleSeconds)
    {
        var lateness = Lateness(lateStore, jobs, seconds);
        var (cpu, workingSet, before) = Idle(idleStore, jobs, idleSeconds);
        lateness.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {lateness.Count} | {Percentile(lateness, 0.50):0} ms | {Percentile(lateness, 0.99):0} ms | {lateness.LastOrDefault():0} ms | {cpu.TotalMilliseconds:0} ms in {idleSeconds} s | {cpu.TotalSeconds / idleSeconds * 100:0.00} % | {workingSet / 1048576.0:0} MB | {before / 1048576.0:0} MB |"));
    }

    private static List<double> Lateness(SchedulerStoreOptions store, int jobs, int seconds)
    {
        var runner = new LatenessRunner();
        var scheduler = PipelineScheduler.OpenAsync(store, runner).GetAwaiter().GetResult();
        try
        {
            // Registration takes a while for 1,000 jobs: the first firing is a minute after it ends.
            var start = DateTimeOffset.UtcNow.AddMinutes(1);
            for (var i = 0; i < jobs; i++)
            {
                var schedule = JobSchedule.Every(TimeSpan.FromMinutes(1), TimeZoneInfo.Utc) with { StartAt = start.AddMilliseconds(60_000.0 * i / jobs) };
                scheduler.RegisterAsync(new PipelineJobDefinition($"job{i:0000}", JobActionKind.Script, "{}", schedule), replace: true).GetAwaiter().GetResult();
            }

            var late = DateTimeOffset.UtcNow - start;
            if (late > TimeSpan.Zero)
            {
                Console.Error.WriteLine($"registration took longer than a minute: the first {late.TotalSeconds:0} s of firings are misfires, not counted");
            }

            scheduler.StartAsync().GetAwaiter().GetResult();
            var wait = start - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            runner.Counting = DateTimeOffset.UtcNow;
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            runner.Counting = DateTimeOffset.MaxValue;
            return [.. runner.Lateness];
        }
        finally
        {
            scheduler.StopAsync().GetAwaiter().GetResult();
        }
    }

    private static (TimeSpan Cpu, long WorkingSet, long Before) Idle(SchedulerStoreOptions store, int jobs, int seconds)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        var before = self.WorkingSet64;
        var scheduler = PipelineScheduler.OpenAsync(store, new LatenessRunner()).GetAwaiter().GetResult();
        try
        {
            var tomorrow = TimeOnly.FromDateTime(DateTime.UtcNow.AddHours(12));
            for (var i = 0; i < jobs; i++)
            {
                scheduler.RegisterAsync(new PipelineJobDefinition($"job{i:0000}", JobActionKind.Script, "{}", JobSchedule.Daily(tomorrow, TimeZoneInfo.Utc)), replace: true).GetAwaiter().GetResult();
            }

            scheduler.StartAsync().GetAwaiter().GetResult();
            Thread.Sleep(TimeSpan.FromSeconds(5)); // settle: start-up work (recovery, first acquisition) is not idle
            GC.Collect();
            self.Refresh();
            var cpu = self.TotalProcessorTime;
            Thread.Sleep(TimeSpan.FromSeconds(seconds));
            self.Refresh();
            return (self.TotalProcessorTime - cpu, self.WorkingSet64, before);
        }
        finally
        {
            scheduler.StopAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>The first firing of a job due 2 s after a pipelineops scheduler process is launched: how late it
    /// starts (history Start - ScheduledStart) beside how long the process took to start firing at all.</summary>
    private static void FirstFiring(int repeat)
    {
        var host = Path.Combine(Measure.RepoRoot(), "out", "host", "pipelineops");
        for (var i = 0; i < repeat; i++)
        {
            var folder = Directory.CreateTempSubdirectory("pipelineops-bench-first-").FullName;
            try
            {
                var store = Path.Combine(folder, "scheduler.db");
                Measure.Program(host, "-Command", $"Register-PipelineJob first -Once -At '2099-01-01 00:00' -StorePath '{store}' -ScriptBlock {{ 'x' }} | Out-Null");
                // Due 2 s after launch; the process opens the store, marks abandoned runs, starts Quartz and fires.
                var launched = DateTimeOffset.UtcNow;
                var due = launched.AddSeconds(2).ToUnixTimeMilliseconds();
                var script = $$"""
                    Register-PipelineJob first -Force -Once -StartAt ([DateTimeOffset]::FromUnixTimeMilliseconds({{due}}).UtcDateTime) -StorePath '{{store}}' -ScriptBlock { 'x' } | Out-Null
                    $s = Start-PipelineScheduler -StorePath '{{store}}'
                    '{0}' -f $s.StartedAt.ToUnixTimeMilliseconds()
                    while (-not ($r = Get-PipelineJobHistory first -StorePath '{{store}}' -Status Succeeded)) { Start-Sleep -Milliseconds 50 }
                    '{0} {1}' -f $r.ScheduledStart.ToUnixTimeMilliseconds(), $r.Start.ToUnixTimeMilliseconds()
                    Stop-PipelineScheduler
                    """;
                var output = Measure.Program(host, "-Command", script).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var started = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(output[0].Trim(), CultureInfo.InvariantCulture));
                var times = output[1].Trim().Split(' ').Select(t => DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(t, CultureInfo.InvariantCulture))).ToArray();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| first firing in a new pipelineops process (due 2 s after launch), run {i + 1} | 1 | {(times[1] - times[0]).TotalMilliseconds:0} ms late | | | scheduler started {(started - launched).TotalSeconds:0.0} s after launch; first firing {(times[1] - started).TotalMilliseconds:0} ms after that | | | |"));
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>A no-op job that notes how long after its scheduled time it began.</summary>
    private sealed class LatenessRunner : IJobRunner
    {
        private long _countingFromTicks = DateTimeOffset.MaxValue.UtcTicks;

        public ConcurrentBag<double> Lateness { get; } = [];

        /// <summary>Firings due from this time on are counted.</summary>
        public DateTimeOffset Counting
        {
            get => new(Interlocked.Read(ref _countingFromTicks), TimeSpan.Zero);
            set => Interlocked.Exchange(ref _countingFromTicks, value.UtcTicks);
        }

        public Task<JobRunOutcome> RunAsync(PipelineJobDefinition job, JobRun run, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow;
            if (run.ScheduledStart is { } due && due >= Counting)
            {
                Lateness.Add((now - due).TotalMilliseconds);
            }

            return Task.FromResult(new JobRunOutcome(true));
        }
    }
}
