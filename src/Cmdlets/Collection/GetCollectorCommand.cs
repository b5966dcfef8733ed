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

        foreach (var id in Id)
        {
            if (CollectorRegistry.Find(id) is { } collector)
            {
                WriteObject(collector);
            }
            else
            {
                WriteError(CollectorErrors.NotFound(id));
            }
        }
    }
}

internal static class CollectorErrors
{
    public static ErrorRecord NotFound(int id) =>
        new(new ArgumentException($"No collector with Id {id} was started in this process."), "CollectorNotFound", ErrorCategory.ObjectNotFound, id);
}

/// <summary>The collectors a command acts on: -Id, or Collector objects from the pipeline.</summary>
public abstract class CollectorTargetCommand : PSCmdlet
{
    protected const string IdSet = "Id";
    protected const string InputSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public Collector[] InputObject { get; set; } = [];

    protected IEnumerable<Collector> Targets()
    {
        if (ParameterSetName == InputSet)
        {
            foreach (var collector in InputObject)
            {
                yield return collector;
            }

            yield break;
        }

        foreach (var id in Id)
        {
            if (CollectorRegistry.Find(id) is { } collector)
            {
                yield return collector;
            }
            else
            {
                WriteError(CollectorErrors.NotFound(id));
            }
        }
    }
}
