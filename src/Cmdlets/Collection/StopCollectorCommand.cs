using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>Stop-Collector: stops the source, writes and flushes what is buffered, closes the files. Silent unless
/// -PassThru, as Stop-Job is.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Collector", DefaultParameterSetName = IdSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Stop-Collector.md")]
[OutputType(typeof(CollectorStatus))]
public sealed class StopCollectorCommand : CollectorTargetCommand
{
    /// <summary>Emit the stopped collector with its final figures.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var collector in Targets())
        {
            if (!ShouldProcess($"Collector {collector.Id} ({collector.Source} -> {collector.Directory})", "Stop"))
            {
                continue;
            }

            collector.StopAsync().GetAwaiter().GetResult();
            CollectorRegistry.ShowWarnings(collector, WriteWarning);
            if (PassThru)
            {
                WriteObject(CollectorRegistry.Status(collector));
            }
        }
    }
}
