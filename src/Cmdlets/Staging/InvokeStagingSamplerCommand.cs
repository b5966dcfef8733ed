using System.Management.Automation;
using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;

namespace PipelineOps.Commands;

/// <summary>Invoke-StagingSampler: one sampler pass over a dataset's manifest (what the scheduler's sampler job runs).</summary>
[Cmdlet(VerbsLifecycle.Invoke, "StagingSampler", DefaultParameterSetName = DatasetSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Invoke-StagingSampler.md")]
[OutputType(typeof(SampleResult))]
public sealed class InvokeStagingSamplerCommand : ManifestPathCommand, IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int Rows { get; set; } = 100;

    /// <summary>Read the whole manifest again and resample every source.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void EndProcessing()
    {
        var layout = DatasetLayout.OfManifest(ManifestFile);
        if (!File.Exists(layout.ManifestFile))
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"Cannot find the manifest '{layout.ManifestFile}'.", layout.ManifestFile),
                "ManifestNotFound", ErrorCategory.ObjectNotFound, layout.ManifestFile));
            return;
        }

        if (!ShouldProcess(layout.Folder, Force ? "Resample every manifest entry" : "Sample new manifest entries"))
        {
            return;
        }

        var warnings = new List<string>();
        var sampler = new StagingSampler(layout, new SampleOptions { Rows = Rows, Force = Force }) { Warn = warnings.Add };
        var counts = new Dictionary<SampleStatus, int>();
        var manifestLength = Math.Max(new FileInfo(layout.ManifestFile).Length, 1);
        foreach (var result in sampler.Run(_cancellation.Token))
        {
            FlushWarnings(warnings);
            counts[result.Status] = counts.GetValueOrDefault(result.Status) + 1;
            WriteObject(result);
            if (result.Status == SampleStatus.Failed)
            {
                WriteError(new ErrorRecord(new InvalidDataException($"Cannot sample '{result.Source}': {result.Reason}"),
                    "SampleFailed", ErrorCategory.InvalidData, result.Source));
            }

            if (sampler.EntriesRead % 100 == 0)
            {
                WriteProgress(new ProgressRecord(1, "Invoke-StagingSampler", $"{sampler.EntriesRead} new manifest entries"));
            }
        }

        FlushWarnings(warnings);
        WriteProgress(new ProgressRecord(1, "Invoke-StagingSampler", "Done") { RecordType = ProgressRecordType.Completed });
        WriteVerbose($"{sampler.EntriesRead} new manifest entries: " +
                     string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Value} {c.Key}")) + $" (manifest {manifestLength} bytes).");
    }

    protected override void StopProcessing() => _cancellation.Cancel();

    public void Dispose()
    {
        _cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    private void FlushWarnings(List<string> warnings)
    {
        foreach (var warning in warnings)
        {
            WriteWarning(warning);
        }

        warnings.Clear();
    }
}
