using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Stop-PipelineScheduler: stops the schedulers started in this process (or the one over -Store/-StorePath):
/// running jobs are interrupted, recorded as Interrupted, and waited for.</summary>
[Cmdlet(VerbsLifecycle.Stop, "PipelineScheduler", SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Stop-PipelineScheduler.md")]
[OutputType(typeof(SchedulerStatus))]
public sealed class StopPipelineSchedulerCommand : SchedulerStoreCommand
{
    /// <summary>Return each stopped scheduler.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        var named = MyInvocation.BoundParameters.ContainsKey(nameof(Store)) || StorePath is not null || ConnectionString is not null;
        var targets = named ? SchedulerRegistry.Find(StoreOptions()) is { } one ? [one] : [] : SchedulerRegistry.All.Where(s => s.IsStarted).ToList();
        foreach (var scheduler in targets)
        {
            if (ShouldProcess(scheduler.Store.Key, "Stop pipeline scheduler"))
            {
                Await(SchedulerRegistry.StopAsync(scheduler, Cancellation));
                if (PassThru)
                {
                    WriteObject(SchedulerStatus.Of(scheduler));
                }
            }
        }
    }
}
