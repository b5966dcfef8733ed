using System.Management.Automation;
using PipelineOps.Diagnostics;

namespace PipelineOps.Commands;

/// <summary>Get-PipelineOpsDependency: the engine and library assemblies the module actually runs with.</summary>
[Cmdlet(VerbsCommon.Get, "PipelineOpsDependency", HelpUri = HelpLinks.Docs + "Get-PipelineOpsDependency.md")]
[OutputType(typeof(DependencyInfo))]
public sealed class GetPipelineOpsDependencyCommand : PSCmdlet
{
    protected override void EndProcessing() => WriteObject(DependencyInventory.Current(), enumerateCollection: true);
}
