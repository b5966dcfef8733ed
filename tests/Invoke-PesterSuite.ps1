<#
.SYNOPSIS
    Runs the Pester suite (every tests/*.Tests.ps1) against the staged module and says plainly whether it passed.

.DESCRIPTION
    `dotnet test` runs this in the pinned pwsh (tests/PipelineOps.Pester.Tests). By hand, after a build:

        dotnet tool restore
        dotnet pwsh tests/Invoke-PesterSuite.ps1

    Pester 5.9.1 comes from the NuGet package folder (where `dotnet test` restores it), or from any installed
    Pester 5. The run fails on a failed test, and just as loudly on a failed BeforeAll/AfterAll block or a test file
    that does not even load, which Pester counts apart from tests. The last line is 'Pester: N passed, N failed,
    N skipped', also written to -SummaryFile.
#>
[CmdletBinding()]
param(
    [string[]] $Path = @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter *.Tests.ps1 | ForEach-Object FullName),

    [string] $PesterModule,

    [string] $SummaryFile
)

$ErrorActionPreference = 'Stop'
if (-not $PesterModule) {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget' 'packages' }
    $PesterModule = Join-Path $packages 'pester' '5.9.1' 'tools' 'Pester.psd1'
    if (-not (Test-Path -LiteralPath $PesterModule)) {
        $PesterModule = (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0' | Sort-Object Version -Descending | Select-Object -First 1).Path
    }
    if (-not $PesterModule) { throw 'Pester 5 was not found: run `dotnet test` once (it restores Pester 5.9.1), or Install-PSResource Pester.' }
}
Import-Module $PesterModule -MinimumVersion 5.0 -Force

$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.Output.StackTraceVerbosity = 'Filtered'
$result = Invoke-Pester -Configuration $config

$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
$summary = "Pester: $($result.PassedCount) passed, $failed failed, $($result.SkippedCount) skipped"
foreach ($container in $result.Containers | Where-Object Result -eq 'Failed') {
    if ($container.ErrorRecord) { "FAILED to run $($container.Item): $($container.ErrorRecord[0])" }
}
foreach ($block in $result.FailedBlocks) { "FAILED block '$($block.ExpandedPath)': $($block.ErrorRecord[0])" }
foreach ($test in $result.Failed) { "FAILED '$($test.ExpandedPath)': $($test.ErrorRecord[0])" }
$summary
if ($SummaryFile) {
    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $SummaryFile)
    Set-Content -LiteralPath $SummaryFile -Value $summary
}
exit ($result.Result -eq 'Passed' -and $failed -eq 0 ? 0 : 1)
