<#
.SYNOPSIS
    Writes docs/<Cmdlet>.md, the online help each cmdlet's HelpUri points to, from the module's help
    (module/en-US/PipelineOps.dll-Help.xml, the one source). Run it after editing the help:

        dotnet build -c Release; dotnet pwsh docs/New-CmdletDocs.ps1
#>
[CmdletBinding()]
param(
    [string] $Manifest = (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1'),
    [string] $Destination = $PSScriptRoot
)

$ErrorActionPreference = 'Stop'
Import-Module $Manifest -Force

function Get-Text($Paragraphs) { (@($Paragraphs) | ForEach-Object { $_.Text }) -join "`n`n" }

foreach ($command in Get-Command -Module PipelineOps -CommandType Cmdlet | Sort-Object Name) {
    $help = Get-Help $command.Name -Full
    $md = [System.Text.StringBuilder]::new()
    $null = $md.AppendLine("# $($command.Name)").AppendLine()
    $null = $md.AppendLine($help.Synopsis.Trim()).AppendLine()
    $null = $md.AppendLine('## Syntax').AppendLine().AppendLine('```')
    foreach ($set in $command.ParameterSets) { $null = $md.AppendLine("$($command.Name) $set") }
    $null = $md.AppendLine('```').AppendLine()
    $null = $md.AppendLine('## Description').AppendLine().AppendLine((Get-Text $help.Description)).AppendLine()
    $null = $md.AppendLine('## Parameters').AppendLine()
    foreach ($p in @($help.Parameters.Parameter)) {
        $null = $md.AppendLine("### -$($p.Name) <$($p.Type.Name)>").AppendLine().AppendLine((Get-Text $p.Description)).AppendLine()
    }

    $examples = @($help.Examples.Example)
    if ($examples) {
        $null = $md.AppendLine('## Examples').AppendLine()
        foreach ($e in $examples) {
            $null = $md.AppendLine("### $($e.Title.Trim('- '))").AppendLine().AppendLine('```powershell').AppendLine($e.Code).AppendLine('```').AppendLine()
            $remarks = Get-Text $e.Remarks
            if ($remarks.Trim()) { $null = $md.AppendLine($remarks.Trim()).AppendLine() }
        }
    }

    $null = $md.AppendLine('## See also').AppendLine().AppendLine('- [about_PipelineOps](about_PipelineOps.md)').AppendLine('- [README](../README.md)')
    $text = ($md.ToString() -replace '(\r?\n){3,}', "`n`n").TrimEnd()
    [System.IO.File]::WriteAllText((Join-Path $Destination "$($command.Name).md"), $text + "`n")
}

$about = Get-Content -Raw (Join-Path (Split-Path $Manifest) 'en-US' 'about_PipelineOps.help.txt')
[System.IO.File]::WriteAllText((Join-Path $Destination 'about_PipelineOps.md'), "# about_PipelineOps`n`n``````text`n$($about.TrimEnd())`n```````n")
