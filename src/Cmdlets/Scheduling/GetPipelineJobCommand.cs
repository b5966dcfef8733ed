using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Get-PipelineJob: the registered jobs, with their state and next and previous run times.</summary>
[Cmdlet(VerbsCommon.Get, "PipelineJob", HelpUri = HelpLinks.Docs + "Get-PipelineJob.md")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class GetPipelineJobCommand : SchedulerStoreCommand
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    protected override void ProcessRecord()
    {
        foreach (var job in JobsNamed(OpenScheduler(create: false), Name))
        {
            WriteObject(job);
        }
    }
}
