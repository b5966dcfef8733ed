using System.Management.Automation;

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

    protected override void EndProcessing()
    {
        var scheduler = OpenScheduler(create: true);
        if (!ShouldProcess(scheduler.Store.Key, "Start pipeline scheduler"))
        {
            return;
        }

        Await(scheduler.StartAsync(Cancellation));
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
