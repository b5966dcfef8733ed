using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Enable-PipelineJob: resumes paused jobs. Firings missed while paused run once, as after downtime.</summary>
[Cmdlet(VerbsLifecycle.Enable, "PipelineJob", SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Enable-PipelineJob.md")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class EnablePipelineJobCommand : PipelineJobNameCommand
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        foreach (var job in MatchingJobs(scheduler).ToList())
        {
            if (ShouldProcess(job.Name, "Enable pipeline job"))
            {
                Await(scheduler.ResumeAsync(job.Name, Cancellation));
                if (PassThru)
                {
                    WriteObject(Await(scheduler.GetJobsAsync(Cancellation)).FirstOrDefault(j => j.Name == job.Name));
                }
            }
        }
    }
}
