<#
.SYNOPSIS
    Builds PipelineOps and stages the module in out/PipelineOps and the pipelineops host in out/host.

.DESCRIPTION
    A thin wrapper over the dotnet CLI, which is all a machine needs (the .NET 10 SDK).
      ./build.ps1                 build (Release) and stage the module
      ./build.ps1 -Test           build, run the xUnit suites, then the Pester suite when Pester 5 is installed
      ./build.ps1 -Bench file-activity
                                  build, then run one benchmark (see bench/README.md)

.EXAMPLE
    ./build.ps1 -Test
    Import-Module ./out/PipelineOps/PipelineOps.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $Test,

    [string] $Bench
)

$ErrorActionPreference = 'Stop'
Push-Location $PSScriptRoot
try {
    dotnet build PipelineOps.sln -c $Configuration
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed ($LASTEXITCODE)." }

    if ($Test) {
        dotnet test PipelineOps.sln -c $Configuration --no-build
        if ($LASTEXITCODE -ne 0) { throw "dotnet test failed ($LASTEXITCODE)." }

        $pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version -ge [version] '5.0' } | Select-Object -First 1
        if ($pester) {
            Import-Module $pester
            $result = Invoke-Pester -Path (Join-Path $PSScriptRoot 'tests') -Output Detailed -PassThru
            if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester test(s) failed." }
        }
        else {
            Write-Warning 'Pester 5 is not installed: skipped tests/*.Tests.ps1 (Install-Module Pester -MinimumVersion 5.0).'
        }
    }

    if ($Bench) {
        dotnet run -c Release --project bench/PipelineOps.Bench -- $Bench
        if ($LASTEXITCODE -ne 0) { throw "benchmark failed ($LASTEXITCODE)." }
    }

    "Module staged: $(Join-Path $PSScriptRoot 'out/PipelineOps/PipelineOps.psd1')"
    "Host staged:   $(Join-Path $PSScriptRoot 'out/host/pipelineops')"
}
finally {
    Pop-Location
}
