using System.Management.Automation;
using PipelineOps.Files;
using PipelineOps.Paths;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>Copy-ToBronze: publishes completed raw files into a dataset's bronze layer and records them in its manifest.</summary>
[Cmdlet(VerbsCommon.Copy, "ToBronze", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Copy-ToBronze.md")]
[OutputType(typeof(PublishResult))]
public sealed class CopyToBronzeCommand : ActivityRulesCommand
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private FileActivityInspector? _inspector;
    private BronzePublisher? _publisher;
    private int _done;

    /// <summary>The raw folder the files come from: subfolders below it are kept, environment folders dropped.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string RawRoot { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Root { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Vendor { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Dataset { get; set; } = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    /// <summary>Raw folder names matching this regular expression are left out of bronze paths ('' keeps all).</summary>
    [Parameter]
    [AllowEmptyString]
    public string EnvironmentPattern { get; set; } = BronzePath.DefaultEnvironmentPattern;

    /// <summary>Date every file with this time instead of its mtime.</summary>
    [Parameter]
    public DateTime? Time { get; set; }

    /// <summary>Compare SHA-256 hashes of source and copy.</summary>
    [Parameter]
    public SwitchParameter Verify { get; set; }

    /// <summary>Flush each manifest append to disk.</summary>
    [Parameter]
    public SwitchParameter Fsync { get; set; }

    /// <summary>Publish files even when Test-FileActive's rules say they are still being written.</summary>
    [Parameter]
    public SwitchParameter IncludeActive { get; set; }

    protected override void BeginProcessing()
    {
        var options = new BronzeOptions
        {
            Environment = StagingParameters.Environment(this, EnvironmentPattern),
            Time = Time?.ToUniversalTime(),
            Verify = Verify,
            Fsync = Fsync,
        };
        var layout = StagingParameters.Layout(this, Root, Vendor, Dataset, Version);
        var rawRoot = SessionState.Path.GetUnresolvedProviderPathFromPSPath(RawRoot);
        if (!Directory.Exists(rawRoot))
        {
            ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"The raw root '{rawRoot}' does not exist."),
                "RawRootNotFound", ErrorCategory.ObjectNotFound, rawRoot));
        }

        _publisher = new BronzePublisher(layout, rawRoot, options,
            bad => WriteWarning($"{layout.ManifestFile}, line {bad.Line}: {bad.Error}"));
        _inspector = new FileActivityInspector(ActivityOptions());
    }

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            if (input.Listing is { } listing)
            {
                var outcomes = IncludeActive
                    ? listing.Files.Select(f => new FileActivityOutcome(f.FullPath, null, null)).ToList()
                    : _inspector!.InspectListing(listing, Cancellation.Token);
                foreach (var outcome in outcomes)
                {
                    Publish(outcome);
                }
            }
            else
            {
                Publish(IncludeActive ? new FileActivityOutcome(input.File!, null, null) : _inspector!.TryInspect(new FileInfo(input.File!)));
            }
        }
    }

    protected override void EndProcessing() =>
        WriteProgress(new ProgressRecord(1, "Copy-ToBronze", "Done") { RecordType = ProgressRecordType.Completed });

    private void Publish(FileActivityOutcome outcome)
    {
        var path = outcome.Path;
        if (!_seen.Add(path))
        {
            return;
        }

        if (outcome.Error is { } error)
        {
            WriteObject(new PublishResult(path, null, null, 0, DateTime.MinValue, PublishStatus.Failed, error.Message, null));
            WriteError(new ErrorRecord(error, error is FileNotFoundException ? "PathNotFound" : "FileUnreadable",
                error is FileNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError, path));
            return;
        }

        var raw = new FileInfo(path);
        if (outcome.Activity is { IsActive: true } active)
        {
            WriteObject(new PublishResult(path, null, null, active.Length, active.LastWriteTimeUtc, PublishStatus.Skipped,
                SkipReason.For(active), null));
            return;
        }

        BronzeTarget target;
        try
        {
            target = _publisher!.Plan(raw);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, "RawFileOutsideRoot", ErrorCategory.InvalidArgument, path));
            return;
        }

        if (!ShouldProcess($"{path} -> {target.BronzeFullPath}", "Copy to bronze"))
        {
            return;
        }

        WriteProgress(new ProgressRecord(1, "Copy-ToBronze", $"{++_done} file(s)") { CurrentOperation = path });
        var result = _publisher!.Publish(raw, Cancellation.Token);
        WriteObject(result);
        if (result.Status == PublishStatus.Failed)
        {
            WriteError(new ErrorRecord(new IOException($"Cannot publish '{path}': {result.Reason}"),
                "PublishFailed", ErrorCategory.WriteError, path));
        }
    }
}
