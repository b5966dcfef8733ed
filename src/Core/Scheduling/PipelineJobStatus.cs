namespace PipelineOps.Scheduling;

/// <summary>A registered job as Get-PipelineJob shows it: its schedule, state, and when it fires next and fired last,
/// in its own zone and in UTC.</summary>
public sealed record PipelineJobStatus
{
    public required string Name { get; init; }

    public string? Description { get; init; }

    public JobActionKind Action { get; init; }

    public required string Schedule { get; init; }

    public required string TimeZone { get; init; }

    /// <summary>Normal, Paused, Running, Blocked, Complete (a one-off that has fired) or Error.</summary>
    public required string State { get; init; }

    public DateTimeOffset? NextRunTime { get; init; }

    public DateTimeOffset? NextRunTimeUtc => NextRunTime?.ToUniversalTime();

    public DateTimeOffset? PreviousRunTime { get; init; }

    public DateTimeOffset? PreviousRunTimeUtc => PreviousRunTime?.ToUniversalTime();

    public JobRunStatus? LastResult { get; init; }

    public required string Store { get; init; }

    public required PipelineJobDefinition Definition { get; init; }
}
