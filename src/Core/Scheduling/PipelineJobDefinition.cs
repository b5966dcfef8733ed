namespace PipelineOps.Scheduling;

/// <summary>What a job runs. Convert and Sample carry their cmdlet's parameters; Script carries a script's text
/// or path. The payload is opaque here: the runner that executes it interprets it.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum JobActionKind
{
    Convert,
    Sample,
    Script,
}

/// <summary>A job as registered: its name, what it runs (kind and a JSON payload the runner reads), and when.</summary>
public sealed record PipelineJobDefinition(string Name, JobActionKind Action, string Payload, JobSchedule Schedule)
{
    public string? Description { get; init; }
}

/// <summary>How one run went, as the runner reports it.</summary>
public sealed record JobRunOutcome(bool Succeeded)
{
    /// <summary>A few lines of the run's output, for the history.</summary>
    public string? Output { get; init; }

    public IReadOnlyList<string> Errors { get; init; } = [];

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Files converted or sources sampled, where the action counts them.</summary>
    public long? Items { get; init; }
}

/// <summary>Runs a job's action. Core knows nothing of PowerShell; the module supplies the runner that creates a
/// runspace. The token is cancelled when the scheduler stops or the run is interrupted; a runner stops promptly
/// and leaves no partial output. <paramref name="run"/> is the run's record as it starts (id, scheduled and actual
/// start, node, trigger), for a job that wants to know which firing it is.</summary>
public interface IJobRunner
{
    Task<JobRunOutcome> RunAsync(PipelineJobDefinition job, JobRun run, CancellationToken cancellationToken);
}
