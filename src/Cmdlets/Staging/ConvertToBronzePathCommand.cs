using System.Management.Automation;
using PipelineOps.Paths;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>ConvertTo-BronzePath: where raw files would go in bronze, without copying anything.</summary>
[Cmdlet(VerbsData.ConvertTo, "BronzePath", DefaultParameterSetName = LiteralPathSet, HelpUri = HelpLinks.Docs + "ConvertTo-BronzePath.md")]
[OutputType(typeof(BronzeTarget))]
public sealed class ConvertToBronzePathCommand : FileInputCommand
{
    private BronzePublisher? _planner;
    private BronzeOptions? _options;
    private string _rawRoot = "";

    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string RawRoot { get; set; } = "";

    /// <summary>Check names against this dataset's bronze files (collisions get -1, -2...); the four go together.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Vendor { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Dataset { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    [Parameter]
    [AllowEmptyString]
    public string EnvironmentPattern { get; set; } = BronzePath.DefaultEnvironmentPattern;

    [Parameter]
    public DateTime? Time { get; set; }

    protected override void BeginProcessing()
    {
        var options = new BronzeOptions { Environment = StagingParameters.Environment(this, EnvironmentPattern), Time = Time?.ToUniversalTime() };
        _rawRoot = SessionState.Path.GetUnresolvedProviderPathFromPSPath(RawRoot);
        var given = new[] { Root, Vendor, Dataset, Version }.Count(v => v is not null);
        if (given is not (0 or 4))
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give all of -Root, -Vendor, -Dataset and -Version, or none."),
                "IncompleteDataset", ErrorCategory.InvalidArgument, null));
        }

        _options = options;
        if (given == 4)
        {
            _planner = new BronzePublisher(StagingParameters.Layout(this, Root!, Vendor!, Dataset!, Version!), _rawRoot, options);
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            var files = input.Listing is { } listing ? listing.Files.Select(f => f.FullPath) : [input.File!];
            foreach (var file in files)
            {
                try
                {
                    var raw = new FileInfo(file);
                    if (_planner is not null)
                    {
                        WriteObject(_planner.Plan(raw));
                        continue;
                    }

                    var time = _options!.Time ?? raw.LastWriteTimeUtc;
                    WriteObject(new BronzeTarget(raw.FullName, BronzePath.Map(BronzePath.RelativeToRoot(_rawRoot, file), time, _options.Environment), null, time, false));
                }
                catch (ArgumentException e)
                {
                    WriteError(new ErrorRecord(e, "RawFileOutsideRoot", ErrorCategory.InvalidArgument, file));
                }
            }
        }
    }
}
