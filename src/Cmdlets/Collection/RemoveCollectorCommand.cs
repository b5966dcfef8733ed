using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>Remove-Collector: forgets stopped collectors, as Remove-Job does; a running one is refused unless -Force,
/// which stops it first (with its final flush).</summary>
[Cmdlet(VerbsCommon.Remove, "Collector", DefaultParameterSetName = IdSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Remove-Collector.md")]
[OutputType(typeof(void))]
public sealed class RemoveCollectorCommand : CollectorTargetCommand
{
    /// <summary>Stop running collectors first instead of refusing them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var collector in Targets())
        {
            var running = collector.State is CollectorState.Running or CollectorState.Stopping;
            if (running && !Force)
            {
                WriteError(new ErrorRecord(new InvalidOperationException(
                        $"Collector {collector.Id} is {collector.State}: stop it first (Stop-Collector -Id {collector.Id}), or use -Force."),
                    "CollectorRunning", ErrorCategory.ResourceBusy, CollectorRegistry.Status(collector)));
                continue;
            }

            if (!ShouldProcess($"Collector {collector.Id} ({collector.Source} -> {collector.Directory})", running ? "Stop and remove" : "Remove"))
            {
                continue;
            }

            if (running)
            {
                collector.StopAsync().GetAwaiter().GetResult();
            }

            CollectorRegistry.ShowWarnings(collector, WriteWarning);
            CollectorRegistry.Remove(collector.Id);
        }
    }
}
