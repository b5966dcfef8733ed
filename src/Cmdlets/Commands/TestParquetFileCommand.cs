using System.Management.Automation;
using PipelineOps.Conversion;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Test-ParquetFile: are these Parquet files whole and consistent with their partitions?</summary>
[Cmdlet(VerbsDiagnostic.Test, "ParquetFile", DefaultParameterSetName = LiteralPathSet)]
[OutputType(typeof(ParquetFileReport), typeof(bool))]
public sealed class TestParquetFileCommand : FileInputCommand
{
    /// <summary>Decode every column of every row group, and check time values against their date= partition.</summary>
    [Parameter]
    public SwitchParameter Deep { get; set; }

    /// <summary>The column checked against the date= partition by -Deep.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeField { get; set; } = "time";

    /// <summary>Follow symbolic links met in directories given as input (named files are always followed).</summary>
    [Parameter]
    public SwitchParameter FollowSymlink { get; set; }

    /// <summary>Emit only $true/$false per file.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void BeginProcessing()
    {
        Filter ??= "*.parquet";
    }

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            var files = input.Listing is { } listing ? listing.Files.Select(f => f.FullPath) : [input.File!];
            foreach (var file in files)
            {
                Check(file, followLinks: input.Listing is null || FollowSymlink);
            }
        }
    }

    private void Check(string path, bool followLinks)
    {
        ParquetFileReport report;
        try
        {
            WriteVerbose($"Checking {path}");
            report = ParquetFileCheck.Inspect(path, Deep, TimeField, followLinks, Cancellation.Token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, e is FileNotFoundException ? "PathNotFound" : "FileUnreadable",
                e is FileNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError, path));
            return;
        }

        WriteObject(Quiet ? report.IsValid : report);
        if (!report.IsValid)
        {
            WriteError(new ErrorRecord(new InvalidDataException($"{path}: {report.Problem}"), "InvalidParquetFile",
                ErrorCategory.InvalidData, path));
        }
    }
}
