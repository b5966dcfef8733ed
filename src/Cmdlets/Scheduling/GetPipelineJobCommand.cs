using System.Management.Automation;

namespace PipelineOps.Scheduling;

/// <summary>Get-PipelineJob: the registered jobs, with their state and next and previous run times.</summary>
[Cmdlet(VerbsCommon.Get, "PipelineJob")]
[OutputType(typeof(PipelineJobStatus))]
public sealed class GetPipelineJobCommand : SchedulerStoreCommand
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[] Name { get; set; } = ["*"];

    protected override void ProcessRecord()
    {
        var scheduler = OpenScheduler(create: false);
        var jobs = Await(scheduler.GetJobsAsync(Cancellation));
        foreach (var name in Name)
        {
            var pattern = WildcardPattern.Get(name, WildcardOptions.IgnoreCase);
            var matched = jobs.Where(j => pattern.IsMatch(j.Name)).ToList();
            if (matched.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No job named '{name}' is registered in {scheduler.Store.Key}."),
                    "JobNotFound", ErrorCategory.ObjectNotFound, name));
            }

            WriteObject(matched, enumerateCollection: true);
        }
    }
}
