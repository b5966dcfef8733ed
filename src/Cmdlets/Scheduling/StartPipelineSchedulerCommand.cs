using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PipelineOps.Scheduling;

/// <summary>Start-PipelineScheduler: fires the store's jobs from this process. Returns at once with the scheduler,
/// or with -Wait runs until Ctrl+C, SIGTERM (pipelineops) or Stop-PipelineScheduler: the service form. On the way
/// out, running jobs are interrupted and recorded as Interrupted.</summary>
[Cmdlet(VerbsLifecycle.Start, "PipelineScheduler", SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Start-PipelineScheduler.md")]
[OutputType(typeof(SchedulerStatus))]
public sealed class StartPipelineSchedulerCommand : SchedulerStoreCommand
{
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long the scheduler keeps runs: as it records one, it deletes runs that ended longer ago
    /// (default 30 days).</summary>
    [Parameter]
    [Paths.DurationTransformation]
    public TimeSpan? Retention { get; set; }

    protected override void BeginProcessing()
    {
        if (Retention is { } keep && keep <= TimeSpan.Zero)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentOutOfRangeException(nameof(Retention), keep, "-Retention must be longer than zero."),
                "RetentionNotPositive", ErrorCategory.InvalidArgument, keep));
        }
    }

    protected override void EndProcessing()
    {
        var scheduler = OpenScheduler(create: true);
        if (!ShouldProcess(scheduler.Store.Key, "Start pipeline scheduler"))
        {
            return;
        }

        if (Retention is { } retention)
        {
            scheduler.HistoryRetention = retention;
        }

        Await(scheduler.StartAsync(Cancellation));
        SchedulerRegistry.Own(scheduler, Runspace.DefaultRunspace?.InstanceId);
        WriteObject(SchedulerStatus.Of(scheduler));
        if (!Wait)
        {
            return;
        }

        WriteVerbose($"Scheduler {scheduler.Node} running on {scheduler.Store.Key}; Ctrl+C or SIGTERM stops it.");
        try
        {
            while (scheduler.IsStarted && !Cancellation.IsCancellationRequested)
            {
                Cancellation.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
        finally
        {
            // Ctrl+C or SIGTERM: stop here, interrupting running jobs (they record Interrupted) and waiting for them.
            if (scheduler.IsStarted)
            {
                SchedulerRegistry.StopAsync(scheduler, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }
}
