using System.Management.Automation;
using PipelineOps.Files;

namespace PipelineOps.Paths;

/// <summary>
/// The file inputs every file cmdlet takes, declared once: -Path (wildcards, strings from the pipeline) and
/// -LiteralPath (by property name: PSPath, FullName), with directories standing for their files (-Recurse, -Filter).
/// Derived cmdlets set DefaultParameterSetName = LiteralPathSet so their own objects, which carry both Path and
/// FullName, bind literally.
/// </summary>
public abstract class FileInputCommand : PSCmdlet, IDisposable
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    private FileInputResolver? _resolver;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    // Raw: staging objects (ConvertTo-BronzePath's targets, manifest entries, publish results) bind by their raw file.
    [Alias("PSPath", "FullName", "LP", "Raw")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>Look into subdirectories of directories given as input.</summary>
    [Parameter]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Only files matching this pattern inside directories given as input.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Filter { get; set; }

    /// <summary>Cancelled when the user stops the pipeline (Ctrl+C).</summary>
    protected CancellationTokenSource Cancellation { get; } = new();

    /// <summary>The inputs of the current pipeline object: named files, and one listing per directory folder.
    /// Paths that do not exist or cannot be read are written as errors and left out.</summary>
    protected IEnumerable<FileInput> ResolveInputs()
    {
        _resolver ??= new FileInputResolver(this);
        var literal = ParameterSetName == LiteralPathSet;
        foreach (var path in _resolver.Resolve(literal ? LiteralPath : Path, literal))
        {
            if (Directory.Exists(path))
            {
                foreach (var listing in DirectoryWalker.EnumerateListings(path, Filter, Recurse, WriteDirectoryError, Cancellation.Token))
                {
                    yield return new FileInput(null, listing);
                }
            }
            else
            {
                yield return new FileInput(path, null);
            }
        }
    }

    protected override void StopProcessing() => Cancellation.Cancel();

    public void Dispose()
    {
        Cancellation.Dispose();
        GC.SuppressFinalize(this);
    }

    private void WriteDirectoryError(string path, Exception error) =>
        WriteError(new ErrorRecord(error, "DirectoryUnreadable", ErrorCategory.ReadError, path));
}

/// <summary>A file named directly, or the listing of one folder of a directory input.</summary>
public sealed record FileInput(string? File, DirectoryListing? Listing);
