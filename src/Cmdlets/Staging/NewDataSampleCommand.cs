using System.Management.Automation;
using PipelineOps.IO;
using PipelineOps.Paths;
using PipelineOps.Staging;
using PipelineOps.Staging.Sampling;

namespace PipelineOps.Commands;

/// <summary>New-DataSample: small same-format samples of files, from paths or from manifest entries.</summary>
[Cmdlet(VerbsCommon.New, "DataSample", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "New-DataSample.md")]
[OutputType(typeof(SampleResult))]
public sealed class NewDataSampleCommand : FileInputCommand
{
    private const string EntrySet = "Entry";
    private readonly Dictionary<string, (StagingSampler Sampler, string Root)> _datasets = new(StringComparer.Ordinal);
    private SampleOptions? _options;
    private string? _destination;
    private int _done;

    /// <summary>Manifest entries (from Get-ManifestEntry): each bronze file is sampled into its dataset's samples/.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EntrySet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ManifestEntry[] Entry { get; set; } = [];

    /// <summary>The folder samples are written to; for manifest entries, by default the dataset's samples/.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = EntrySet)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int Rows { get; set; } = 100;

    /// <summary>At most this many bytes of a source (decompressed) are read for its sample.</summary>
    [Parameter]
    [ValidateRange(1024, long.MaxValue)]
    public long MaxReadBytes { get; set; } = new SampleOptions().MaxReadBytes;

    /// <summary>Follow symbolic links met in directories given as input (named files are always followed).</summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    /// <summary>Resample even when the sample already carries the source's mtime.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        _options = new SampleOptions { Rows = Rows, MaxReadBytes = MaxReadBytes, Force = Force };
        _destination = Destination is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        if (_destination is not null)
        {
            DestinationCheck.RequireFolder(this, nameof(Destination), Destination!, _destination);
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == EntrySet)
        {
            foreach (var entry in Entry)
            {
                SampleEntry(entry);
            }

            return;
        }

        foreach (var input in ResolveInputs())
        {
            // A file named by the user is followed if it is a link; one met while walking a folder only with -FollowSymlink,
            // which also takes files with other names (hard links), since those may lie outside the folder.
            var options = input.Listing is not { } walked || FollowSymlink ? _options!
                : _options! with { FollowLinks = false, Within = RealPath.Canonical(walked.Directory) };
            var files = input.Listing is { } listing ? listing.Files.Select(f => f.FullPath) : [input.File!];
            foreach (var file in files)
            {
                if (ShouldProcess($"{file} -> {_destination}", "Write a sample"))
                {
                    Emit(DataSampler.Sample(file, _destination!, options, Cancellation.Token));
                }
            }
        }
    }

    protected override void EndProcessing() =>
        WriteProgress(new ProgressRecord(1, "New-DataSample", "Done") { RecordType = ProgressRecordType.Completed });

    private void SampleEntry(ManifestEntry entry)
    {
        if (entry.Manifest is null)
        {
            WriteError(new ErrorRecord(new ArgumentException($"The entry for '{entry.Bronze}' was not read from a manifest, so its dataset is unknown; read it with Get-ManifestEntry."),
                "EntryWithoutManifest", ErrorCategory.InvalidArgument, entry));
            return;
        }

        if (!_datasets.TryGetValue(entry.Manifest, out var dataset))
        {
            var layout = DatasetLayout.OfManifest(entry.Manifest);
            dataset = (new StagingSampler(layout, _options!), RealPath.Canonical(layout.Folder));
            _datasets[entry.Manifest] = dataset;
        }

        if (!ShouldProcess($"{entry.Bronze} -> {_destination ?? "samples/"}", "Write a sample"))
        {
            return;
        }

        Emit(dataset.Sampler.SampleEntry(entry, dataset.Root, Cancellation.Token, _destination));
    }

    private void Emit(SampleResult result)
    {
        WriteProgress(new ProgressRecord(1, "New-DataSample", $"{++_done} source(s)") { CurrentOperation = result.Source });
        WriteObject(result);
        if (result.Status == SampleStatus.Failed)
        {
            WriteError(new ErrorRecord(new InvalidDataException($"Cannot sample '{result.Source}': {result.Reason}"),
                "SampleFailed", ErrorCategory.InvalidData, result.Source));
        }
    }
}
