namespace PipelineOps.Scheduling;

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum JobRunStatus
{
    Running,
    Succeeded,
    Failed,
    Skipped,
    Interrupted,
}

/// <summary>One run of a job, as the history keeps it.</summary>
public sealed record JobRun
{
    public required string Id { get; init; }

    public required string Job { get; init; }

    public JobRunStatus Status { get; init; }

    /// <summary>When the firing was due (null for a run started by hand).</summary>
    public DateTimeOffset? ScheduledStart { get; init; }

    public DateTimeOffset? Start { get; init; }

    public DateTimeOffset? End { get; init; }

    public TimeSpan? Duration => Start is { } s && End is { } e ? e - s : null;

    /// <summary>The scheduler node (host:process) that ran it.</summary>
    public string? Node { get; init; }

    /// <summary>Scheduled, Manual or Recovered.</summary>
    public string Trigger { get; init; } = "Scheduled";

    public string? Output { get; init; }

    public IReadOnlyList<string> Errors { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public long? Items { get; init; }
}

/// <summary>Filters for reading history.</summary>
public sealed record JobRunQuery
{
    public string? Job { get; init; }

    public DateTimeOffset? Since { get; init; }

    public JobRunStatus? Status { get; init; }
}
