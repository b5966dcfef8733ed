using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Npgsql;
using Quartz;

namespace PipelineOps.Scheduling;

/// <summary>
/// The scheduler over one store: registers, lists, pauses and removes jobs, runs them now, and, once started,
/// fires them on their schedules. Built on Quartz: persistent stores survive the process, PostgreSQL stores are
/// clustered (each firing on one node; a dead node's runs recovered by another), missed firings run once when the
/// scheduler comes back, and a firing due while the previous run is still going is skipped and recorded.
/// </summary>
public sealed class PipelineScheduler : IAsyncDisposable
{
    /// <summary>The Quartz scheduler name: every node of a store uses it, which is what makes them one cluster.</summary>
    public const string InstanceName = "PipelineOps";

    private readonly ConcurrentDictionary<string, string> _running = new();
    private IScheduler? _quartz;

    private PipelineScheduler(SchedulerStoreOptions store, IJobRunner runner, TimeProvider time, IJobHistory history)
    {
        Store = store;
        Runner = runner;
        Time = time;
        History = history;
        HistoryRetention = store.HistoryRetention;
        Node = $"{Environment.MachineName}:{Environment.ProcessId}";
    }

    public SchedulerStoreOptions Store { get; }

    public IJobRunner Runner { get; }

    public TimeProvider Time { get; }

    public IJobHistory History { get; }

    /// <summary>How long this scheduler keeps runs: as it records a run, it deletes those that ended longer ago
    /// (the store's retention unless Start-PipelineScheduler -Retention set another).</summary>
    public TimeSpan HistoryRetention { get; set; }

    /// <summary>This scheduler's node: host and process id (the Quartz instance id too, in a cluster).</summary>
    public string Node { get; }

    public bool IsStarted { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public TimeSpan? Uptime => StartedAt is { } at && IsStarted ? Time.GetUtcNow() - at : null;

    /// <summary>The jobs running in this process now.</summary>
    public IReadOnlyList<string> RunningJobs => _running.Values.Distinct().Order().ToList();

    private IScheduler Quartz => _quartz ?? throw new ObjectDisposedException(nameof(PipelineScheduler));

    /// <summary>Opens a store (creating the SQLite file, its folder and every table on first use) without starting
    /// to fire jobs.</summary>
    public static async Task<PipelineScheduler> OpenAsync(SchedulerStoreOptions store, IJobRunner runner, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(runner);
        time ??= TimeProvider.System;
        IJobHistory history;
        string? connectionString = null;
        switch (store.Kind)
        {
            case SchedulerStoreKind.Memory:
                history = new MemoryJobHistory();
                break;
            case SchedulerStoreKind.Sqlite:
                var path = store.Path ?? throw new ArgumentException("A SQLite store needs a path.", nameof(store));
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
                connectionString = new SqliteConnectionStringBuilder { DataSource = path, DefaultTimeout = 60, Pooling = true }.ConnectionString;
                await EnableWriteAheadLogAsync(connectionString, cancellationToken).ConfigureAwait(false);
                history = new SqlJobHistory(SqliteFactory.Instance, connectionString);
                break;
            default:
                connectionString = store.ConnectionString ?? throw new ArgumentException("A PostgreSQL store needs a connection string.", nameof(store));
                history = new SqlJobHistory(NpgsqlFactory.Instance, connectionString);
                break;
        }

        if (history is SqlJobHistory sql)
        {
            await sql.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        }

        var scheduler = new PipelineScheduler(store, runner, time, history);
        scheduler._quartz = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = InstanceName;
                // Clustered nodes need distinct ids. A single-node store keeps one id across restarts, because Quartz
                // recovers the firings a dead scheduler left behind only for the instance id they were fired under.
                o.InstanceId = store.Kind == SchedulerStoreKind.PostgreSql ? scheduler.Node : Environment.MachineName;
                o.ShutdownJobInterruption = ShutdownJobInterruption.Always;
                // A job registered by another process is noticed within this long (Quartz's default is 30 s).
                o.IdleWaitTime = TimeSpan.FromSeconds(5);
            });
            q.UseDefaultThreadPool(10);
            q.UseTimeProvider(time);
            q.UseJobFactory(new PipelineJobFactory(scheduler));
            q.AddTriggerListener(new SkippedFiringListener(scheduler), [GroupMatcher<TriggerKey>.GroupEquals(JobData.Group)]);
            switch (store.Kind)
            {
                case SchedulerStoreKind.Memory:
                    q.UseInMemoryStore(_ => { });
                    break;
                case SchedulerStoreKind.Sqlite:
                    q.UsePersistentStore(s =>
                    {
                        s.UseSqlite(SqliteFactory.Instance, connectionString!);
                        s.ProvisionSchema();
                    });
                    break;
                default:
                    q.UsePersistentStore(s =>
                    {
                        s.UsePostgres(NpgsqlFactory.Instance, connectionString!);
                        s.ProvisionSchema();
                        s.UseClustering(c =>
                        {
                            c.CheckinInterval = TimeSpan.FromSeconds(5);
                            c.CheckinMisfireThreshold = TimeSpan.FromSeconds(10);
                        });
                    });
                    break;
            }
        }).BuildScheduler(cancellationToken).ConfigureAwait(false);
        return scheduler;
    }

    /// <summary>Registers a job. A job of the same name is an error unless <paramref name="replace"/>.</summary>
    public async Task RegisterAsync(PipelineJobDefinition definition, bool replace, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var key = new JobKey(definition.Name, JobData.Group);
        if (!replace && await Quartz.Exists(key, cancellationToken).ConfigureAwait(false))
        {
            throw new DuplicateJobException(definition.Name);
        }

        var job = JobBuilder.Create<QuartzPipelineJob>()
            .WithIdentity(key)
            .WithDescription(definition.Description ?? "")
            .RequestRecovery(true)
            .StoreDurably(true)
            .UsingJobData(JobData.Write(definition))
            .Build();
        var trigger = definition.Schedule.BuildTrigger(key, Time);
        if (trigger.GetFireTimeAfter(Time.GetUtcNow().AddSeconds(-1)) is null && definition.Schedule.Kind != ScheduleKind.Once)
        {
            throw new ArgumentException($"The schedule of job '{definition.Name}' never fires (check -StartAt and -EndAt).");
        }

        if (replace)
        {
            await Quartz.DeleteJob(key, cancellationToken).ConfigureAwait(false);
        }

        await Quartz.ScheduleJob(job, [trigger], default, cancellationToken).ConfigureAwait(false);
    }

    public async Task<PipelineJobDefinition?> GetDefinitionAsync(string name, CancellationToken cancellationToken = default) =>
        await Quartz.GetJobDetail(new JobKey(name, JobData.Group), cancellationToken).ConfigureAwait(false) is { } detail ? JobData.Read(detail) : null;

    public async Task<IReadOnlyList<PipelineJobStatus>> GetJobsAsync(CancellationToken cancellationToken = default)
    {
        var keys = await Quartz.GetJobKeys(GroupMatcher<JobKey>.GroupEquals(JobData.Group), cancellationToken).ConfigureAwait(false);
        var history = await History.ReadAsync(new JobRunQuery(), cancellationToken).ConfigureAwait(false);
        var last = history.Where(r => r.Status != JobRunStatus.Skipped).GroupBy(r => r.Job).ToDictionary(g => g.Key, g => g.Last());
        var jobs = new List<PipelineJobStatus>();
        foreach (var key in keys.OrderBy(k => k.Name, StringComparer.OrdinalIgnoreCase))
        {
            var detail = await Quartz.GetJobDetail(key, cancellationToken).ConfigureAwait(false);
            if (detail is null)
            {
                continue;
            }

            var definition = JobData.Read(detail);
            var triggerKey = new TriggerKey(key.Name, key.Group);
            var trigger = await Quartz.GetTrigger(triggerKey, cancellationToken).ConfigureAwait(false);
            var state = trigger is null ? TriggerState.Complete : await Quartz.GetTriggerState(triggerKey, cancellationToken).ConfigureAwait(false);
            last.TryGetValue(key.Name, out var lastRun);
            var zone = definition.Schedule.TimeZone;
            jobs.Add(new PipelineJobStatus
            {
                Name = key.Name,
                Description = definition.Description,
                Action = definition.Action,
                Schedule = definition.Schedule.Describe(),
                TimeZone = zone.Id,
                State = lastRun?.Status == JobRunStatus.Running || _running.Values.Contains(key.Name) ? "Running" : StateName(state),
                NextRunTime = trigger?.NextFireTimeUtc is { } next ? TimeZoneInfo.ConvertTime(next, zone) : null,
                PreviousRunTime = (lastRun?.Start ?? trigger?.PreviousFireTimeUtc) is { } previous ? TimeZoneInfo.ConvertTime(previous, zone) : null,
                LastResult = lastRun?.Status,
                Store = Store.Key,
                Definition = definition,
            });
        }

        return jobs;
    }

    public Task PauseAsync(string name, CancellationToken cancellationToken = default) =>
        Quartz.PauseJob(new JobKey(name, JobData.Group), cancellationToken).AsTask();

    public Task ResumeAsync(string name, CancellationToken cancellationToken = default) =>
        Quartz.ResumeJob(new JobKey(name, JobData.Group), cancellationToken).AsTask();

    /// <summary>Removes a job and its history; false when there was none.</summary>
    public async Task<bool> UnregisterAsync(string name, CancellationToken cancellationToken = default)
    {
        var removed = await Quartz.DeleteJob(new JobKey(name, JobData.Group), cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            await History.DeleteJobAsync(name, cancellationToken).ConfigureAwait(false);
        }

        return removed;
    }

    /// <summary>Runs a job now, in the caller, and returns its record (also kept in the history).</summary>
    public async Task<JobRun> RunNowAsync(string name, CancellationToken cancellationToken = default)
    {
        var definition = await GetDefinitionAsync(name, cancellationToken).ConfigureAwait(false) ?? throw new KeyNotFoundException($"No job named '{name}' is registered in {Store.Key}.");
        return await ExecuteAsync(definition, "manual-" + Guid.NewGuid().ToString("N"), null, "Manual", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts firing jobs. Runs left Running by a scheduler that died are marked Interrupted first (a
    /// clustered store leaves that to the node that recovers them).</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsStarted)
        {
            return;
        }

        if (Store.Kind == SchedulerStoreKind.Sqlite)
        {
            await History.MarkAbandonedAsync(null, Node, Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        await Quartz.Start(cancellationToken).ConfigureAwait(false);
        StartedAt = Time.GetUtcNow();
        IsStarted = true;
    }

    /// <summary>Stops firing jobs: running ones are interrupted (their token is cancelled), recorded as
    /// Interrupted, and waited for.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_quartz is { } quartz)
        {
            _quartz = null;
            IsStarted = false;
            await quartz.Shutdown(true, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    internal async Task<JobRun> ExecuteAsync(PipelineJobDefinition definition, string runId, DateTimeOffset? scheduled, string trigger, CancellationToken cancellationToken)
    {
        var start = Time.GetUtcNow();
        var run = new JobRun { Id = runId, Job = definition.Name, Status = JobRunStatus.Running, ScheduledStart = scheduled, Start = start, Node = Node, Trigger = trigger };
        if (trigger == "Recovered")
        {
            await History.MarkAbandonedAsync(definition.Name, Node, start, CancellationToken.None).ConfigureAwait(false);
        }

        await History.WriteAsync(run, CancellationToken.None).ConfigureAwait(false);
        _running[runId] = definition.Name;
        try
        {
            var outcome = await Runner.RunAsync(definition, run, cancellationToken).ConfigureAwait(false);
            run = run with
            {
                Status = cancellationToken.IsCancellationRequested ? JobRunStatus.Interrupted : outcome.Succeeded ? JobRunStatus.Succeeded : JobRunStatus.Failed,
                Output = outcome.Output,
                Errors = outcome.Errors,
                Warnings = outcome.Warnings,
                Items = outcome.Items,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            run = run with { Status = JobRunStatus.Interrupted, Errors = ["The run was interrupted: the scheduler stopped or the run was cancelled."] };
        }
        catch (Exception e)
        {
            run = run with { Status = cancellationToken.IsCancellationRequested ? JobRunStatus.Interrupted : JobRunStatus.Failed, Errors = [e.Message] };
        }
        finally
        {
            _running.TryRemove(runId, out _);
        }

        run = run with { End = Time.GetUtcNow() };
        await History.WriteAsync(run, CancellationToken.None).ConfigureAwait(false);
        await History.PruneAsync(run.End.Value - HistoryRetention, null, CancellationToken.None).ConfigureAwait(false);
        return run;
    }

    /// <summary>Quartz reports a skipped firing from inside its own store transaction; on SQLite a write from
    /// another connection there would wait for that transaction's lock, so the record is written after it.</summary>
    internal Task RecordSkippedAsync(string job, DateTimeOffset? due, CancellationToken cancellationToken)
    {
        _ = Task.Run(() => WriteSkippedAsync(job, due), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task WriteSkippedAsync(string job, DateTimeOffset? due)
    {
        var now = Time.GetUtcNow();
        await History.WriteAsync(new JobRun
        {
            Id = "skipped-" + Guid.NewGuid().ToString("N"),
            Job = job,
            Status = JobRunStatus.Skipped,
            ScheduledStart = due ?? now,
            Node = Node,
            End = now,
            Output = "Skipped: the previous run was still going when this firing came due.",
        }).ConfigureAwait(false);
    }

    private static string StateName(TriggerState state) => state switch
    {
        TriggerState.Executing => "Running",
        TriggerState.None => "Complete",
        _ => state.ToString(),
    };

    private static async Task EnableWriteAheadLogAsync(string connectionString, CancellationToken cancellationToken)
    {
        // WAL lets a scheduler fire jobs while another process registers or reads history.
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A job of that name is already registered.</summary>
public sealed class DuplicateJobException(string name)
    : InvalidOperationException($"A job named '{name}' is already registered. Use -Force to replace it, or Unregister-PipelineJob first.")
{
    public string Name { get; } = name;
}
