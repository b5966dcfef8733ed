using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Get-PipelineJobHistory: one record per run (Succeeded, Failed, Skipped, Interrupted, or Running now),
/// oldest first. Reading changes nothing: the scheduler deletes runs older than its retention (30 days, or
/// Start-PipelineScheduler -Retention) as it records new ones, and Clear-PipelineJobHistory deletes on request.</summary>
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

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);

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
