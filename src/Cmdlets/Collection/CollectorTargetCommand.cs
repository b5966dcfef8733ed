using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>The collectors a command acts on: -Id, or Collector objects from the pipeline.</summary>
public abstract class CollectorTargetCommand : PSCmdlet
{
    protected const string IdSet = "Id";
    protected const string InputSet = "InputObject";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    public int[] Id { get; set; } = [];

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    public Collector[] InputObject { get; set; } = [];

    protected IEnumerable<Collector> Targets() =>
        ParameterSetName == InputSet ? InputObject : CollectorRegistry.Find(Id, id => WriteError(CollectorErrors.NotFound(id)));
}
