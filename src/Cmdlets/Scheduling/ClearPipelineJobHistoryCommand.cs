using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Clear-PipelineJobHistory: deletes recorded runs of the named jobs (all by default) that ended longer ago
/// than -OlderThan (all of them without it). Runs still going are kept. The scheduler itself deletes runs older than
/// its retention as it records new ones; this is the same on request.</summary>
[Cmdlet(VerbsCommon.Clear, "PipelineJobHistory", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Docs + "Clear-PipelineJobHistory.md")]
[OutputType(typeof(JobRun))]
public sealed class ClearPipelineJobHistoryCommand : SchedulerStoreCommand
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = ["*"];

    /// <summary>Keep runs that ended within this long (e.g. 7d); older ones are deleted.</summary>
    [Parameter]
    [Paths.DurationTransformation]
    public TimeSpan? OlderThan { get; set; }

    /// <summary>Return the deleted runs.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (OlderThan is { } age && age < TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentOutOfRangeException(nameof(OlderThan), age, "-OlderThan cannot be negative."),
                "OlderThanNegative", ErrorCategory.InvalidArgument, age));
        }

        var scheduler = OpenScheduler(create: false);
        var before = OlderThan is { } keep ? DateTimeOffset.UtcNow - keep : DateTimeOffset.MaxValue;
        var runs = Await(scheduler.History.ReadAsync(new JobRunQuery(), Cancellation));
        var patterns = Name.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToList();
        var jobs = runs.Select(r => r.Job).Distinct(StringComparer.Ordinal).Where(j => patterns.Any(p => p.IsMatch(j))).Order(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var what = OlderThan is { } older ? $"runs of {job} that ended more than {older} ago, in {scheduler.Store.Key}" : $"all runs of {job} in {scheduler.Store.Key}";
            if (ShouldProcess(what, "Clear pipeline job history"))
            {
                var deleted = Await(scheduler.History.PruneAsync(before, job, Cancellation));
                WriteVerbose($"Deleted {deleted} run(s) of {job}.");
                if (PassThru)
                {
                    WriteObject(runs.Where(r => r.Job == job && r.Status != JobRunStatus.Running && (r.End ?? r.Start ?? r.ScheduledStart) < before), enumerateCollection: true);
                }
            }
        }
    }
}
