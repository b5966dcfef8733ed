using System.Collections.Concurrent;
using System.Management.Automation;
using PipelineOps.Segments;

namespace PipelineOps.Commands;

/// <summary>Sync-Segment: copies a tree's completed files to a destination, verified, never overwriting.</summary>
[Cmdlet(VerbsData.Sync, "Segment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Docs + "Sync-Segment.md")]
[OutputType(typeof(SyncResult))]
public sealed class SyncSegmentCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The tree to copy (ready/, a converted dataset, bronze).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    /// <summary>Delete each source file once an identical copy is verified at the destination.</summary>
    [Parameter]
    public SwitchParameter RemoveSource { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 2;

    protected override void EndProcessing()
    {
        var source = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        if (!System.IO.Directory.Exists(source))
        {
            ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"Cannot find the folder '{source}'."),
                "SourceNotFound", ErrorCategory.ObjectNotFound, source));
        }

        var sync = new SegmentSync(source, destination, RemoveSource);
        var (files, leftOut) = sync.Plan();
        foreach (var result in leftOut)
        {
            WriteWarning($"{result.Source}: {result.Reason}.");
            WriteObject(result);
        }

        var action = RemoveSource ? "Copy, verify and remove the source" : "Copy and verify";
        var chosen = files.Where(f => ShouldProcess($"{f.FullName} -> {sync.DestinationOf(f.FullName)}", action)).ToList();
        if (chosen.Count == 0)
        {
            return;
        }

        var total = chosen.Sum(f => f.Length);
        long done = 0;
        using var results = new BlockingCollection<SyncResult>();
        var worker = Task.Run(() =>
        {
            try
            {
                Parallel.ForEach(chosen, new ParallelOptions { MaxDegreeOfParallelism = ThrottleLimit, CancellationToken = _stopping.Token },
                    file => results.Add(sync.Copy(file, n => Interlocked.Add(ref done, n), _stopping.Token)));
            }
            finally
            {
                results.CompleteAdding();
            }
        });

        var progress = new ProgressRecord(3, "Sync-Segment", $"{source} -> {destination}");
        var seen = 0;
        while (!results.IsCompleted)
        {
            if (results.TryTake(out var result, TimeSpan.FromMilliseconds(250)))
            {
                seen++;
                Report(result);
            }

            var bytes = Interlocked.Read(ref done);
            progress.PercentComplete = total == 0 ? 100 : (int)Math.Min(100, bytes * 100 / total);
            progress.StatusDescription = $"{seen} of {chosen.Count} files, {bytes:N0} of {total:N0} bytes read";
            WriteProgress(progress);
        }

        try
        {
            worker.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }

    private void Report(SyncResult result)
    {
        if (result.Action is SyncAction.Conflict or SyncAction.Failed)
        {
            WriteError(new ErrorRecord(new IOException($"{result.Source}: {result.Reason}"),
                result.Action == SyncAction.Conflict ? "SyncConflict" : "SyncFailed", ErrorCategory.WriteError, result.Source));
        }

        WriteObject(result);
    }

    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }
}
