using System.Collections.Concurrent;

namespace PipelineOps.Scheduling;

/// <summary>History for the Memory store: gone with the process, as the schedule is.</summary>
internal sealed class MemoryJobHistory : IJobHistory
{
    private readonly ConcurrentDictionary<string, JobRun> _runs = new();

    public Task WriteAsync(JobRun run, CancellationToken cancellationToken = default)
    {
        _runs[run.Id] = run;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<JobRun>> ReadAsync(JobRunQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<JobRun>>(_runs.Values
            .Where(r => query.Job is null || r.Job == query.Job)
            .Where(r => query.Since is null || (r.Start ?? r.ScheduledStart) >= query.Since)
            .Where(r => query.Status is null || r.Status == query.Status)
            .OrderBy(r => r.Start ?? r.ScheduledStart)
            .ToList());

    public Task<int> MarkAbandonedAsync(string? job, string? exceptNode, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var run in _runs.Values.Where(r => r.Status == JobRunStatus.Running && (job is null || r.Job == job) && (exceptNode is null || r.Node != exceptNode)))
        {
            _runs[run.Id] = run with { Status = JobRunStatus.Interrupted, End = now, Errors = [.. run.Errors, AbandonedMessage] };
            count++;
        }

        return Task.FromResult(count);
    }

    public Task<int> PruneAsync(DateTimeOffset before, string? job = null, CancellationToken cancellationToken = default)
    {
        var count = 0;
        foreach (var run in _runs.Values.Where(r => r.Status != JobRunStatus.Running && (job is null || r.Job == job) && (r.End ?? r.Start ?? r.ScheduledStart) < before))
        {
            count += _runs.TryRemove(run.Id, out _) ? 1 : 0;
        }

        return Task.FromResult(count);
    }

    public Task DeleteJobAsync(string job, CancellationToken cancellationToken = default)
    {
        foreach (var run in _runs.Values.Where(r => r.Job == job))
        {
            _runs.TryRemove(run.Id, out _);
        }

        return Task.CompletedTask;
    }

    internal const string AbandonedMessage = "The scheduler that ran this stopped before it ended (the process was killed or the machine went down).";
}
