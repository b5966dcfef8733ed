using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Invoke-PipelineJob: runs registered jobs now, in the foreground, and returns each run's record (also kept
/// in the history, as a Manual run). Ctrl+C interrupts the run.</summary>
[Cmdlet(VerbsLifecycle.Invoke, "PipelineJob", SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Invoke-PipelineJob.md")]
[OutputType(typeof(JobRun))]
public sealed class InvokePipelineJobCommand : PipelineJobNameCommand
{
    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        foreach (var job in MatchingJobs(scheduler).ToList())
        {
            if (!ShouldProcess(job.Name, "Run pipeline job now"))
            {
                continue;
            }

            var run = Await(scheduler.RunNowAsync(job.Name, Cancellation));
            foreach (var error in run.Errors)
            {
                WriteWarning($"{job.Name}: {error}");
            }

            WriteObject(run);
        }
    }
}
