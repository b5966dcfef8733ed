using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Get-PipelineScheduler: the schedulers open in this process: node, store, running jobs, uptime.</summary>
[Cmdlet(VerbsCommon.Get, "PipelineScheduler", HelpUri = HelpLinks.Docs + "Get-PipelineScheduler.md")]
[OutputType(typeof(SchedulerStatus))]
public sealed class GetPipelineSchedulerCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        foreach (var scheduler in SchedulerRegistry.All)
        {
            WriteObject(SchedulerStatus.Of(scheduler));
        }
    }
}
