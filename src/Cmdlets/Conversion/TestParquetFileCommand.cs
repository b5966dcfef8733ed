using System.Management.Automation;
using PipelineOps.Conversion;
using PipelineOps.IO;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Test-ParquetFile: are these Parquet files whole and consistent with their partitions?</summary>
[Cmdlet(VerbsDiagnostic.Test, "ParquetFile", DefaultParameterSetName = LiteralPathSet, HelpUri = HelpLinks.Docs + "Test-ParquetFile.md")]
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

    /// <summary>The Outputs of Convert-JsonlToParquet's results, by property name: `Convert-JsonlToParquet ... |
    /// Test-ParquetFile` checks what was written, not the JSON-lines sources. Typed object so that it binds before
    /// -Path would take the result's text (its Source).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResultSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Outputs")]
    [AllowNull]
    [AllowEmptyCollection]
    public object? OutputPath { get; set; }

    private const string ResultSet = "Result";
    private int _checked;
    private int _folders;
    private readonly List<string> _given = [];

    protected override void BeginProcessing()
    {
        Filter ??= "*.parquet";
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ResultSet)
        {
            foreach (var output in LanguagePrimitives.GetEnumerable(OutputPath) ?? Array.Empty<object>())
            {
                if (output?.ToString() is { Length: > 0 } file)
                {
                    Check(file, followLinks: true);
                }
            }

            return;
        }

        _given.AddRange(ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        foreach (var input in ResolveInputs())
        {
            _folders += input.Listing is null ? 0 : 1;
            // A file named by the user is followed if it is a link; one met while walking a folder only with -FollowSymlink,
            // which also takes files with other names (hard links), since those may lie outside the folder.
            var within = input.Listing is { } walked && !FollowSymlink ? RealPath.Canonical(walked.Directory) : null;
            var files = input.Listing is { } listing ? listing.Files.Select(f => f.FullPath) : [input.File!];
            foreach (var file in files)
            {
                Check(file, followLinks: input.Listing is null || FollowSymlink, within);
            }
        }
    }

    /// <summary>A health check that looked at nothing must not pass in silence.</summary>
    protected override void EndProcessing()
    {
        if (_checked == 0 && _folders > 0)
        {
            WriteWarning($"No Parquet files were found in {string.Join(", ", _given.Distinct())}{(Recurse ? "" : " (without -Recurse, subfolders are not searched)")}: nothing was checked.");
        }
    }

    private void Check(string path, bool followLinks, string? within = null)
    {
        _checked++;
        ParquetFileReport report;
        try
        {
            WriteVerbose($"Checking {path}");
            report = ParquetFileCheck.Inspect(path, Deep, TimeField, followLinks, Cancellation.Token, within: within);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, e is FileNotFoundException ? "PathNotFound" : "FileUnreadable",
                e is FileNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError, path));
            return;
        }

        if (report.BadTimes > 0)
        {
            // Sound as a file, but not simply valid as data: these rows are dated by their source's name, not their time.
            WriteWarning($"{path}: {report.BadTimes} row(s) had a time that was not a time when converted and are filed by the date in their source's name (Convert-JsonlToParquet -BadTimePolicy Quarantine leaves such records out).");
        }

        WriteObject(Quiet ? report.IsValid : report);
        if (!report.IsValid)
        {
            WriteError(new ErrorRecord(new InvalidDataException($"{path}: {report.Problem}"), "InvalidParquetFile",
                ErrorCategory.InvalidData, path));
        }
    }
}
