namespace PipelineOps;

/// <summary>Where Get-Help -Online goes: docs/&lt;Cmdlet&gt;.md in the project's repository (written from the module's help
/// by docs/New-CmdletDocs.ps1).</summary>
internal static class HelpLinks
{
    public const string Docs = "https://github.com/PipelineOps/PipelineOps/blob/main/docs/";
}
