using System.Management.Automation;

namespace PipelineOps.Commands;

internal static class CollectorErrors
{
    public static ErrorRecord NotFound(int id) =>
        new(new ArgumentException($"No collector with Id {id} was started in this process."), "CollectorNotFound", ErrorCategory.ObjectNotFound, id);
}
