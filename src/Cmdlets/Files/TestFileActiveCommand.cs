using System.Management.Automation;
using PipelineOps.Files;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Test-FileActive: is something still writing this file?</summary>
[Cmdlet(VerbsDiagnostic.Test, "FileActive", DefaultParameterSetName = LiteralPathSet, HelpUri = HelpLinks.Docs + "Test-FileActive.md")]
[OutputType(typeof(FileActivity), typeof(bool))]
public sealed class TestFileActiveCommand : ActivityRulesCommand
{
    private const int ProgressEvery = 1000;

    private FileActivityBatch? _batch;
    private FileActivityInspector? _inspector;
    private ProgressRecord? _progress;
    private long _inspected;

    /// <summary>Measure each file twice this far apart; a change fires Growing.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan StabilityWindow { get; set; }

    /// <summary>Emit only $true/$false per file. -Qui means this switch (an exact alias wins over the prefix of
    /// -QuietPeriod, which -QuietP still reaches).</summary>
    [Parameter]
    [Alias("Qui")]
    public SwitchParameter Quiet { get; set; }

    protected override void BeginProcessing()
    {
        _inspector = new FileActivityInspector(ActivityOptions(StabilityWindow));
        _batch = new FileActivityBatch(_inspector);
    }

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            if (input.Listing is { } listing)
            {
                foreach (var outcome in _batch!.Add(listing, Cancellation.Token))
                {
                    Emit(outcome);
                }

                ReportProgress(listing.Files.Count);
            }
            else
            {
                Take(new FileInfo(input.File!));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_batch!.PendingCount > 0)
        {
            var waiting = new ProgressRecord(2, "Test-FileActive",
                $"Watching {_batch.PendingCount} file(s) for {StabilityWindow.TotalSeconds:0.#} s");
            WriteProgress(waiting);
            try
            {
                _batch.WaitForWindowAsync(Cancellation.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return; // Ctrl+C: the pipeline is stopping, nothing more to say.
            }

            waiting.RecordType = ProgressRecordType.Completed;
            WriteProgress(waiting);
            foreach (var outcome in _batch.DrainPending())
            {
                Emit(outcome);
            }
        }

        if (_progress is not null)
        {
            _progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(_progress);
        }

        if (_inspected > 0 && _inspector!.WriterCoverage == WriterCheck.Unavailable)
        {
            WriteWarning("This platform offers no way to see which processes hold files open for writing; " +
                         "the OpenForWrite rule was not applied (WriterCheck: Unavailable).");
        }
        else if (_inspector!.WriterCoverage == WriterCheck.Partial)
        {
            WriteVerbose("Some processes could not be inspected for open files (run with more privileges to see them all); " +
                         "WriterCheck: Partial.");
        }
    }

    private void Take(FileInfo file)
    {
        Cancellation.Token.ThrowIfCancellationRequested();
        ReportProgress(1);
        try
        {
            if (_batch!.Add(file) is { } activity)
            {
                Emit(activity);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteFileError(file.FullName, e);
        }
    }

    private void Emit(FileActivityOutcome outcome)
    {
        if (outcome.Activity is { } activity)
        {
            Emit(activity);
        }
        else
        {
            WriteFileError(outcome.Path, outcome.Error!);
        }
    }

    private void Emit(FileActivity activity)
    {
        if (activity.IsActive)
        {
            WriteVerbose($"{activity.Path}: active ({string.Join(", ", activity.Reasons)})");
        }

        WriteObject(Quiet ? activity.IsActive : activity);
    }

    private void ReportProgress(int files)
    {
        var before = _inspected;
        _inspected += files;
        if (before / ProgressEvery == _inspected / ProgressEvery)
        {
            return;
        }

        _progress ??= new ProgressRecord(1, "Test-FileActive", "Inspecting files");
        _progress.StatusDescription = $"Inspected {_inspected:N0} files";
        WriteProgress(_progress);
    }

    private void WriteFileError(string path, Exception error)
    {
        var (id, category) = error is FileNotFoundException
            ? ("PathNotFound", ErrorCategory.ObjectNotFound)
            : ("FileUnreadable", ErrorCategory.ReadError);
        WriteError(new ErrorRecord(error, id, category, path));
    }
}
