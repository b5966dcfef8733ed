using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Get-PipelineJobHistory: one record per run (Succeeded, Failed, Skipped, Interrupted, or Running now),
/// oldest first. The scheduler keeps runs for the store's retention (30 days).</summary>
[Cmdlet(VerbsCommon.Get, "PipelineJobHistory", HelpUri = HelpLinks.Docs + "Get-PipelineJobHistory.md")]
[OutputType(typeof(JobRun))]
public sealed class GetPipelineJobHistoryCommand : SchedulerStoreCommand
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    [Parameter]
    public DateTime? Since { get; set; }

    [Parameter]
    [ValidateSet("Running", "Succeeded", "Failed", "Skipped", "Interrupted")]
    public string[] Status { get; set; } = [];

    /// <summary>Deletes runs older than this before reading (default: keep what the scheduler keeps, 30 days).</summary>
    [Parameter]
    [Paths.DurationTransformation]
    public TimeSpan? Retention { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        if (Retention is { } keep)
        {
            Await(scheduler.History.PruneAsync(DateTimeOffset.UtcNow - keep, Cancellation));
        }

        var query = new JobRunQuery { Since = Since is { } since ? new DateTimeOffset(since.ToUniversalTime()) : null };
        var patterns = Name.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        foreach (var run in Await(scheduler.History.ReadAsync(query, Cancellation)))
        {
            if (patterns.Any(p => p.IsMatch(run.Job)) && (Status.Length == 0 || Status.Contains(run.Status.ToString(), StringComparer.OrdinalIgnoreCase)))
            {
                WriteObject(run);
            }
        }
    }
}
