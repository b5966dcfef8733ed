using Microsoft.Extensions.Time.Testing;
using PipelineOps.Scheduling;

namespace PipelineOps.Tests.Scheduling;

/// <summary>The scheduler running for real over a SQLite store, driven by a fake clock: the test moves time on in
/// steps and lets Quartz's threads react; nothing waits for scheduled time to pass.</summary>
public sealed class SchedulerTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("pipelineops-scheduler-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private SchedulerStoreOptions Store => SchedulerStoreOptions.Sqlite(Path.Combine(_folder, "scheduler.db"));

    private static PipelineJobDefinition Job(string name, JobSchedule schedule) => new(name, JobActionKind.Script, "{}", schedule);

    /// <summary>Advances the fake clock a step at a time until the condition holds (or the steps run out), giving the
    /// scheduler's threads a moment of real time after each step.</summary>
    private static async Task Drive(FakeTimeProvider time, Func<bool> until, TimeSpan step, int maxSteps = 400)
    {
        for (var i = 0; i < maxSteps && !until(); i++)
        {
            time.Advance(step);
            await Task.Delay(15);
        }
    }

    /// <summary>Lets real time pass for the scheduler's threads without moving the fake clock much.</summary>
    private static Task Settle(FakeTimeProvider time) => Drive(time, () => false, TimeSpan.FromMilliseconds(100), maxSteps: 40);

    [Fact]
    public async Task After_three_days_off_a_daily_job_runs_once_then_keeps_its_time()
    {
        var time = new FakeTimeProvider(Noon);
        var runner = new RecordingRunner();
        await using (var registering = await PipelineScheduler.OpenAsync(Store, runner, time))
        {
            await registering.RegisterAsync(Job("nightly", JobSchedule.Daily(new TimeOnly(0, 5), TimeZoneInfo.Utc)), replace: false);
        }

        time.Advance(TimeSpan.FromDays(3)); // the machine was off for three nights
        await using var scheduler = await PipelineScheduler.OpenAsync(Store, runner, time);
        await scheduler.StartAsync();
        await Drive(time, () => runner.Started >= 1, TimeSpan.FromSeconds(1));
        await Settle(time);

        Assert.Single(runner.Runs);
        var job = Assert.Single(await scheduler.GetJobsAsync());
        Assert.Equal(new DateTimeOffset(2026, 11, 6, 0, 5, 0, TimeSpan.Zero), job.NextRunTimeUtc);
        var run = Assert.Single(await scheduler.History.ReadAsync(new JobRunQuery { Job = "nightly" }));
        Assert.Equal(JobRunStatus.Succeeded, run.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 0, 5, 0, TimeSpan.Zero), run.ScheduledStart);
    }

    [Fact]
    public async Task A_firing_due_while_the_job_still_runs_is_skipped_and_recorded()
    {
        var time = new FakeTimeProvider(Noon);
        var runner = new RecordingRunner { Hold = true };
        await using var scheduler = await PipelineScheduler.OpenAsync(Store, runner, time);
        await scheduler.RegisterAsync(Job("sampler", JobSchedule.Every(TimeSpan.FromMinutes(5), TimeZoneInfo.Utc)), replace: false);
        await scheduler.StartAsync();
        await Drive(time, () => runner.Started >= 1, TimeSpan.FromSeconds(1));

        // Two more firings come due while the first run holds on.
        await Drive(time, () => false, TimeSpan.FromSeconds(10), maxSteps: 65);
        runner.Release();
        await Drive(time, () => scheduler.History.ReadAsync(new JobRunQuery { Status = JobRunStatus.Succeeded }).Result.Count >= 1, TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, runner.MaxConcurrent);
        var history = await scheduler.History.ReadAsync(new JobRunQuery { Job = "sampler" });
        Assert.Equal(JobRunStatus.Succeeded, history.First(r => r.Status != JobRunStatus.Skipped).Status);
        Assert.True(history.Count(r => r.Status == JobRunStatus.Skipped) >= 1, string.Join(", ", history.Select(r => r.Status)));
    }

    [Fact]
    public async Task Stopping_interrupts_a_running_job_and_the_history_says_so()
    {
        var time = new FakeTimeProvider(Noon);
        var runner = new RecordingRunner { Hold = true };
        var scheduler = await PipelineScheduler.OpenAsync(Store, runner, time);
        await scheduler.RegisterAsync(Job("long", JobSchedule.Once(Noon.AddMinutes(1), TimeZoneInfo.Utc)), replace: false);
        await scheduler.StartAsync();
        await Drive(time, () => runner.Started >= 1, TimeSpan.FromSeconds(1));

        await scheduler.StopAsync();

        await using var reopened = await PipelineScheduler.OpenAsync(Store, runner, time);
        var run = Assert.Single(await reopened.History.ReadAsync(new JobRunQuery { Job = "long" }));
        Assert.Equal(JobRunStatus.Interrupted, run.Status);
        Assert.NotNull(run.End);
    }

    [Fact]
    public async Task Jobs_and_history_outlive_the_scheduler_that_registered_them()
    {
        var time = new FakeTimeProvider(Noon);
        var runner = new RecordingRunner();
        await using (var first = await PipelineScheduler.OpenAsync(Store, runner, time))
        {
            await first.RegisterAsync(Job("a", JobSchedule.Cron("0 5 0 * * ?", TimeZones.Find("Europe/London"))) with { Description = "the nightly" }, replace: false);
            var duplicate = await Assert.ThrowsAsync<DuplicateJobException>(() => first.RegisterAsync(Job("a", JobSchedule.Every(TimeSpan.FromMinutes(1), TimeZoneInfo.Utc)), replace: false));
            Assert.Contains("'a'", duplicate.Message);
            await first.RunNowAsync("a");
        }

        await using var second = await PipelineScheduler.OpenAsync(Store, runner, time);
        var job = Assert.Single(await second.GetJobsAsync());
        Assert.Equal("the nightly", job.Description);
        Assert.Equal("Europe/London", job.TimeZone);
        Assert.Equal(JobRunStatus.Succeeded, job.LastResult);
        var run = Assert.Single(await second.History.ReadAsync(new JobRunQuery()));
        Assert.Equal("Manual", run.Trigger);
        Assert.Equal("ran a", run.Output);

        await second.PauseAsync("a");
        Assert.Equal("Paused", Assert.Single(await second.GetJobsAsync()).State);
        Assert.True(await second.UnregisterAsync("a"));
        Assert.Empty(await second.GetJobsAsync());
        Assert.Empty(await second.History.ReadAsync(new JobRunQuery()));
    }

    [Fact]
    public async Task A_run_left_running_by_a_killed_scheduler_is_marked_interrupted_on_the_next_start()
    {
        var time = new FakeTimeProvider(Noon);
        await using var scheduler = await PipelineScheduler.OpenAsync(Store, new RecordingRunner(), time);
        await scheduler.History.WriteAsync(new JobRun { Id = "dead", Job = "x", Status = JobRunStatus.Running, Start = Noon.AddMinutes(-5), Node = "gone:1" });
        await scheduler.StartAsync();

        var run = Assert.Single(await scheduler.History.ReadAsync(new JobRunQuery { Job = "x" }));
        Assert.Equal(JobRunStatus.Interrupted, run.Status);
    }

    [Fact]
    public async Task The_history_schema_version_is_recorded()
    {
        await using (await PipelineScheduler.OpenAsync(Store, new RecordingRunner()))
        {
        }

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Store.Path);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM pipelineops_schema WHERE component = 'history'";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_scheduler_deletes_runs_older_than_its_retention_as_it_records_a_run()
    {
        var time = new FakeTimeProvider(Noon);
        await using var scheduler = await PipelineScheduler.OpenAsync(Store, new RecordingRunner(), time);
        scheduler.HistoryRetention = TimeSpan.FromHours(1);
        await scheduler.RegisterAsync(Job("a", JobSchedule.Every(TimeSpan.FromDays(1), TimeZoneInfo.Utc)), replace: false);
        await scheduler.RegisterAsync(Job("b", JobSchedule.Every(TimeSpan.FromDays(1), TimeZoneInfo.Utc)), replace: false);
        var old = await scheduler.RunNowAsync("a");
        time.Advance(TimeSpan.FromMinutes(30));
        var recent = await scheduler.RunNowAsync("a");
        time.Advance(TimeSpan.FromMinutes(45));

        // Reading keeps everything; recording the next run (of any job) deletes the run that ended over an hour ago.
        Assert.Equal(2, (await scheduler.History.ReadAsync(new JobRunQuery())).Count);
        var latest = await scheduler.RunNowAsync("b");
        Assert.Equal([recent.Id, latest.Id], (await scheduler.History.ReadAsync(new JobRunQuery())).Select(r => r.Id));
        Assert.DoesNotContain(old.Id, (await scheduler.History.ReadAsync(new JobRunQuery())).Select(r => r.Id));
    }
}
