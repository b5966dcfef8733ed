using System.Management.Automation;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>
/// The manifest a command works on: -Manifest (a file), or a dataset given as -Root/-Vendor/-Dataset/-Version,
/// whose manifest is {root}/{vendor}/{dataset}/{version}/manifests/processed.jsonl.
/// </summary>
public abstract class ManifestPathCommand : PSCmdlet
{
    protected const string ManifestSet = "Manifest";
    protected const string DatasetSet = "Dataset";

    [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
    [ValidateNotNullOrEmpty]
    public string Manifest { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidateNotNullOrEmpty]
    public string Root { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidateNotNullOrEmpty]
    public string Vendor { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidateNotNullOrEmpty]
    public string Dataset { get; set; } = "";

    [Parameter(Mandatory = true, ParameterSetName = DatasetSet)]
    [ValidateNotNullOrEmpty]
    public string Version { get; set; } = "";

    /// <summary>The manifest file, resolved through the session's provider.</summary>
    protected string ManifestFile => ParameterSetName == DatasetSet
        ? System.IO.Path.Combine(SessionState.Path.GetUnresolvedProviderPathFromPSPath(Root), Vendor, Dataset, Version, "manifests", "processed.jsonl")
        : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Manifest);

    /// <summary>The folder the manifest's relative paths are relative to: the dataset version folder.</summary>
    protected string DatasetFolder => System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(ManifestFile)!)!;
}
