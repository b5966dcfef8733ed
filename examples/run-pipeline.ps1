<#
.SYNOPSIS
    Collects and converts with settings from a .psd1 file: the PowerShell way to keep a pipeline's configuration.

.DESCRIPTION
    Reads the settings with Import-PowerShellDataFile (data only: no code in the file runs) and splats each
    section into its cmdlet: Collect into Start-Collector, Convert into Convert-JsonlToParquet. Every key must be
    a parameter of its cmdlet (or an alias of one): a misspelt key is reported with the file and section, and
    nothing runs, rather than the setting being silently left at its default. Exits 1 on a bad settings file or a
    failed conversion.

.EXAMPLE
    pipelineops -File run-pipeline.ps1 -Config /etc/pipelineops/pipeline.psd1 -Root /data
#>
[CmdletBinding()]
param(
    [string] $Config = (Join-Path $PSScriptRoot 'pipeline.psd1'),

    # The folder relative paths in the settings are taken from.
    [string] $Root = (Get-Location).Path
)

$ErrorActionPreference = 'Stop'
$settings = Import-PowerShellDataFile -LiteralPath $Config
$commands = [ordered]@{ Collect = 'Start-Collector'; Convert = 'Convert-JsonlToParquet' }

$problems = @(
    foreach ($section in $settings.Keys | Where-Object { -not $commands.Contains($_) }) {
        "${Config}: unknown section '$section' (sections: $($commands.Keys -join ', '))"
    }
    foreach ($section in $commands.Keys | Where-Object { $settings.ContainsKey($_) }) {
        $parameters = (Get-Command $commands[$section]).Parameters.Values
        $known = @($parameters.Name) + @($parameters.Aliases)
        foreach ($key in $settings[$section].Keys | Where-Object { $_ -notin $known }) {
            "${Config}: '$key' in section $section is not a parameter of $($commands[$section])"
        }
    }
)
if ($problems) {
    foreach ($problem in $problems) { Write-Error $problem -ErrorAction Continue }
    exit 1
}

Push-Location -LiteralPath $Root
try {
    if ($settings.Collect) {
        $collect = $settings.Collect
        Start-Collector @collect | Out-Host
    }
    if ($settings.Convert) {
        $convert = $settings.Convert
        $results = @(Convert-JsonlToParquet @convert)
        $results | Out-Host
        if ($results | Where-Object Status -eq 'Failed') { exit 1 }
    }
}
finally {
    Pop-Location
}
