using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Unregister-PipelineJob: removes jobs and their history. A run in progress finishes.</summary>
[Cmdlet(VerbsLifecycle.Unregister, "PipelineJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.Docs + "Unregister-PipelineJob.md")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class UnregisterPipelineJobCommand : PipelineJobNameCommand
{
    /// <summary>Return each removed job.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        foreach (var job in MatchingJobs(scheduler).ToList())
        {
            if (ShouldProcess($"{job.Name} ({job.Schedule}) in {scheduler.Store.Key}", "Unregister pipeline job"))
            {
                Await(scheduler.UnregisterAsync(job.Name, Cancellation));
                if (PassThru)
                {
                    WriteObject(job);
                }
            }
        }
    }
}
