namespace PipelineOps.Scheduling;

/// <summary>Where runs are recorded: beside the schedule, so every node of a cluster writes one history.</summary>
public interface IJobHistory
{
    Task WriteAsync(JobRun run, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JobRun>> ReadAsync(JobRunQuery query, CancellationToken cancellationToken = default);

    /// <summary>Marks runs still Running (their process died) as Interrupted: those of <paramref name="job"/>
    /// (every job when null) on nodes other than <paramref name="exceptNode"/> (every node when null).</summary>
    Task<int> MarkAbandonedAsync(string? job, string? exceptNode, DateTimeOffset now, CancellationToken cancellationToken = default);

    /// <summary>Deletes runs that ended before <paramref name="before"/>: those of <paramref name="job"/> (every
    /// job when null). Runs still Running are kept.</summary>
    Task<int> PruneAsync(DateTimeOffset before, string? job = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a job's runs (when it is unregistered).</summary>
    Task DeleteJobAsync(string job, CancellationToken cancellationToken = default);
}
