using System.Management.Automation;
using PipelineOps.Segments;

namespace PipelineOps.Commands;

/// <summary>Move-OrphanSegment: closes into ready/ what a killed collector left in active/; unusable files go to quarantine/.</summary>
[Cmdlet(VerbsCommon.Move, "OrphanSegment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Docs + "Move-OrphanSegment.md")]
[Alias("Move-OrphanSegments")]
[OutputType(typeof(SegmentResult))]
public sealed class MoveOrphanSegmentCommand : PSCmdlet
{
    /// <summary>The collector's directory (the one holding active/ and ready/).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Destination", "Directory")] // a collector's Destination (Directory before) binds here
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "data";

    /// <summary>The record field that holds its time (Timestamp column), as the collector's -TimeField.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeField { get; set; } = "time";

    protected override void ProcessRecord()
    {
        var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!System.IO.Directory.Exists(directory))
        {
            WriteError(new ErrorRecord(new DirectoryNotFoundException($"Cannot find the collector directory '{directory}'."),
                "DirectoryNotFound", ErrorCategory.ObjectNotFound, directory));
            return;
        }

        var progress = new ProgressRecord(2, "Move-OrphanSegment", directory);
        var mover = new OrphanSegments(directory, TimeField);
        using var results = mover.Run(ShouldProcess, (done, total, file) =>
        {
            progress.PercentComplete = total == 0 ? 100 : done * 100 / total;
            progress.StatusDescription = $"{done} of {total}";
            progress.CurrentOperation = file;
            WriteProgress(progress);
        }, (file, e) => WriteError(new ErrorRecord(e, "OrphanSegmentFailed", ErrorCategory.WriteError, file))).GetEnumerator();
        while (true)
        {
            try
            {
                if (!results.MoveNext())
                {
                    break;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // The file it was on stays in active/ for the next run; the rest cannot go on without its lock state.
                WriteError(new ErrorRecord(e, "OrphanSegmentFailed", ErrorCategory.WriteError, directory));
                break;
            }

            WriteObject(results.Current);
        }

        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }
}
