using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>Get-Collector: the collectors started in this process, with their live figures.</summary>
[Cmdlet(VerbsCommon.Get, "Collector")]
[OutputType(typeof(Collector))]
public sealed class GetCollectorCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNull]
    public int[]? Id { get; set; }

    protected override void EndProcessing()
    {
        if (Id is null)
        {
            WriteObject(CollectorRegistry.All, enumerateCollection: true);
            return;
        }

        WriteObject(CollectorRegistry.Find(Id, id => WriteError(CollectorErrors.NotFound(id))), enumerateCollection: true);
    }
}
