using System.Management.Automation;
using PipelineOps.Collection;

namespace PipelineOps.Commands;

/// <summary>Stop-Collector: stops the source, writes and flushes what is buffered, closes the files, reports.</summary>
[Cmdlet(VerbsLifecycle.Stop, "Collector", DefaultParameterSetName = IdSet, SupportsShouldProcess = true)]
[OutputType(typeof(Collector))]
public sealed class StopCollectorCommand : CollectorTargetCommand
{
    protected override void ProcessRecord()
    {
        foreach (var collector in Targets())
        {
            if (!ShouldProcess($"Collector {collector.Id} ({collector.Source} -> {collector.Directory})", "Stop"))
            {
                continue;
            }

            collector.StopAsync().GetAwaiter().GetResult();
            foreach (var warning in collector.TakeWarnings())
            {
                WriteWarning(warning);
            }

            WriteObject(collector);
        }
    }
}
