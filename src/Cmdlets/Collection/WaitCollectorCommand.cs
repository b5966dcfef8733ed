using System.Management.Automation;
using PipelineOps.Collection;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Wait-Collector: waits until collectors have stopped (like Wait-Job).</summary>
[Cmdlet(VerbsLifecycle.Wait, "Collector", DefaultParameterSetName = IdSet, HelpUri = HelpLinks.Docs + "Wait-Collector.md")]
[OutputType(typeof(CollectorStatus))]
public sealed class WaitCollectorCommand : CollectorTargetCommand, IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<Collector> _collectors = [];

    /// <summary>Give up after this long; the collectors still running are not returned.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    protected override void ProcessRecord() => _collectors.AddRange(Targets());

    protected override void EndProcessing()
    {
        var deadline = Timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        foreach (var collector in _collectors)
        {
            while (!collector.Completion.IsCompleted)
            {
                if (_cancel.IsCancellationRequested || DateTime.UtcNow >= deadline)
                {
                    return;
                }

                collector.Completion.Wait(TimeSpan.FromMilliseconds(200));
                CollectorRegistry.ShowWarnings(collector, WriteWarning); // as they happen, not only at the end
            }

            CollectorRegistry.ShowWarnings(collector, WriteWarning);
            WriteObject(CollectorRegistry.Status(collector));
        }
    }

    protected override void StopProcessing() => _cancel.Cancel();

    public void Dispose()
    {
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }
}
