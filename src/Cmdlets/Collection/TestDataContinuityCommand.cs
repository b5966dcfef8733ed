using System.Management.Automation;
using PipelineOps.Collection.Continuity;
using PipelineOps.Files;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Test-DataContinuity: what collected files cover, where the gaps are, and a quality score.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DataContinuity", DefaultParameterSetName = LiteralPathSet, HelpUri = HelpLinks.Docs + "Test-DataContinuity.md")]
[OutputType(typeof(ContinuityReport))]
public sealed class TestDataContinuityCommand : FileInputCommand
{
    private readonly List<string> _files = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeField { get; set; } = "time";

    /// <summary>Gaps are measured per value of this field (per product); '' measures the stream as a whole.</summary>
    [Parameter]
    [AllowEmptyString]
    public string ProductField { get; set; } = "product_id";

    [Parameter]
    [DurationTransformation]
    public TimeSpan GapThreshold { get; set; } = TimeSpan.FromMinutes(1);

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            var files = input.Listing is { } listing
                ? (Filter is null ? listing.Where(f => JsonLinesNames.IsJsonLines(f.Name)) : listing).Files.Select(f => f.FullPath)
                : [input.File!];
            foreach (var file in files)
            {
                if (FileNameRules.IsTempName(System.IO.Path.GetFileName(file)))
                {
                    WriteVerbose($"{file}: left out, a temporary name (an upload or rewrite in progress, not a stream)");
                    continue;
                }

                if (_seen.Add(file))
                {
                    _files.Add(file);
                }
            }
        }
    }

    protected override void EndProcessing()
    {
        DurationChecks.RequirePositive(this, nameof(GapThreshold), GapThreshold);

        var analyzer = new ContinuityAnalyzer(TimeField, ProductField.Length == 0 ? null : ProductField, GapThreshold);
        var streams = ContinuityAnalyzer.ByStream(_files).ToList();
        var progress = new ByteProgress("Test-DataContinuity", _files.Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0));
        long before = 0;
        for (var i = 0; i < streams.Count; i++)
        {
            var name = $"{streams[i].Key} ({i + 1} of {streams.Count} streams)";
            WriteProgress(progress.At(before, name));
            ContinuityReport report;
            try
            {
                var done = before;
                report = analyzer.Analyze(streams[i].Key, streams[i], Cancellation.Token, read =>
                {
                    if (progress.Due())
                    {
                        WriteProgress(progress.At(done + read, name));
                    }
                });
                before += streams[i].Sum(f => File.Exists(f) ? new FileInfo(f).Length : 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                WriteError(new ErrorRecord(e, "StreamUnreadable", ErrorCategory.ReadError, streams[i].Key));
                continue;
            }

            foreach (var problem in report.Problems)
            {
                WriteWarning(problem);
            }

            WriteObject(report);
        }

        WriteProgress(progress.Completed());
    }
}
