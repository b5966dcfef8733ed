using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>The collectors a command acts on: -Id, or Collector objects from the pipeline.</summary>
public abstract class CollectorTargetCommand : PSCmdlet
{
    protected const string IdSet = "Id";
    protected const string InputSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    [ArgumentCompleter(typeof(CollectorIdCompleter))]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public CollectorStatus[] InputObject { get; set; } = [];

    protected IEnumerable<Collector> Targets() =>
        CollectorRegistry.Find(ParameterSetName == InputSet ? InputObject.Select(c => c.Id) : Id,
            id => WriteError(CollectorErrors.NotFound(id)));
}
