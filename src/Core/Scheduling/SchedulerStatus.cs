namespace PipelineOps.Scheduling;

/// <summary>A scheduler as Get-PipelineScheduler shows it.</summary>
public sealed record SchedulerStatus(string Node, string Store, bool IsRunning, DateTimeOffset? StartedAt, TimeSpan? Uptime, IReadOnlyList<string> RunningJobs)
{
    public static SchedulerStatus Of(PipelineScheduler scheduler) =>
        new(scheduler.Node, scheduler.Store.Key, scheduler.IsStarted, scheduler.StartedAt, scheduler.Uptime, scheduler.RunningJobs);
}
