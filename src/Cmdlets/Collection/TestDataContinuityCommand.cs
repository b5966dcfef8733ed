using System.Management.Automation;
using PipelineOps.Collection.Continuity;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Test-DataContinuity: what collected files cover, where the gaps are, and a quality score.</summary>
[Cmdlet(VerbsDiagnostic.Test, "DataContinuity", DefaultParameterSetName = LiteralPathSet)]
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
        for (var i = 0; i < streams.Count; i++)
        {
            WriteProgress(new ProgressRecord(1, "Test-DataContinuity", $"{streams[i].Key} ({i + 1} of {streams.Count})")
            {
                PercentComplete = 100 * i / streams.Count,
            });
            ContinuityReport report;
            try
            {
                report = analyzer.Analyze(streams[i].Key, streams[i], Cancellation.Token);
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

        WriteProgress(new ProgressRecord(1, "Test-DataContinuity", "Done") { RecordType = ProgressRecordType.Completed });
    }
}
