using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>Get-Collector: the collectors started in this process, with their live figures, and the warnings they
/// raised since they were last shown.</summary>
[Cmdlet(VerbsCommon.Get, "Collector", HelpUri = HelpLinks.Docs + "Get-Collector.md")]
[OutputType(typeof(CollectorStatus))]
public sealed class GetCollectorCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(CollectorIdCompleter))]
    public int[]? Id { get; set; }

    /// <summary>Only collectors in these states.</summary>
    [Parameter]
    [ValidateSet(nameof(CollectorState.Running), nameof(CollectorState.Stopping), nameof(CollectorState.Stopped), nameof(CollectorState.Failed))]
    public string[]? State { get; set; }

    protected override void EndProcessing()
    {
        var collectors = Id is null ? CollectorRegistry.All : CollectorRegistry.Find(Id, id => WriteError(CollectorErrors.NotFound(id)));
        foreach (var collector in collectors)
        {
            if (State is null || State.Contains(collector.State.ToString(), StringComparer.OrdinalIgnoreCase))
            {
                CollectorRegistry.ShowWarnings(collector, WriteWarning);
                WriteObject(CollectorRegistry.Status(collector));
            }
        }
    }
}
