using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Disable-PipelineJob: pauses jobs; they keep their schedule and history but do not fire.</summary>
[Cmdlet(VerbsLifecycle.Disable, "PipelineJob", SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Disable-PipelineJob.md")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class DisablePipelineJobCommand : PipelineJobNameCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        foreach (var job in MatchingJobs(scheduler).ToList())
        {
            if (ShouldProcess(job.Name, "Disable pipeline job"))
            {
                Await(scheduler.PauseAsync(job.Name, Cancellation));
                if (PassThru)
                {
                    WriteObject(Await(scheduler.GetJobsAsync(Cancellation)).FirstOrDefault(j => j.Name == job.Name));
                }
            }
        }
    }
}
