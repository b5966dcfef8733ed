using System.Management.Automation;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>Add-ManifestEntry: records processed files (raw to bronze) in a dataset's manifest.</summary>
[Cmdlet(VerbsCommon.Add, "ManifestEntry", DefaultParameterSetName = ManifestSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Add-ManifestEntry.md")]
[OutputType(typeof(ManifestEntry))]
public sealed class AddManifestEntryCommand : ManifestPathCommand
{
    private const int BatchSize = 1000;
    private readonly List<ManifestEntry> _batch = [];
    private string? _file;

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Raw { get; set; } = "";

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Bronze { get; set; } = "";

    /// <summary>The file's write time; when not given, the bronze file's (relative paths are relative to the dataset folder).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? Mtime { get; set; }

    /// <summary>The file's size; when not given, the bronze file's.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public long? Size { get; set; }

    /// <summary>Flush the manifest to disk before returning.</summary>
    [Parameter]
    public SwitchParameter Fsync { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void BeginProcessing() => _file = ManifestFile;

    protected override void ProcessRecord()
    {
        var mtime = Mtime?.ToUniversalTime();
        var size = Size;
        if (mtime is null || size is null)
        {
            var bronze = new FileInfo(System.IO.Path.IsPathRooted(Bronze) ? Bronze : System.IO.Path.Combine(DatasetFolder, Bronze));
            if (!bronze.Exists && mtime is null)
            {
                WriteError(new ErrorRecord(new FileNotFoundException(
                        $"No -Mtime given and the bronze file '{bronze.FullName}' does not exist to take it from.", bronze.FullName),
                    "BronzeFileNotFound", ErrorCategory.ObjectNotFound, Bronze));
                return;
            }

            mtime ??= bronze.LastWriteTimeUtc;
            size ??= bronze.Exists ? bronze.Length : null;
        }

        if (!ShouldProcess(_file!, $"Add '{Raw}' -> '{Bronze}'"))
        {
            return;
        }

        _batch.Add(new ManifestEntry(Raw, Bronze, mtime.Value, size, DateTime.UtcNow));
        if (_batch.Count >= BatchSize)
        {
            Flush();
        }
    }

    protected override void EndProcessing() => Flush();

    private void Flush()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        try
        {
            PipelineOps.Staging.Manifest.Append(_file!, _batch, Fsync);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "ManifestUnwritable", ErrorCategory.WriteError, _file));
        }

        if (PassThru)
        {
            WriteObject(_batch, enumerateCollection: true);
        }

        _batch.Clear();
    }
}
