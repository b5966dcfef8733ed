<#
.SYNOPSIS
    Builds PipelineOps and stages the module in out/PipelineOps and the pipelineops host in out/host.

.DESCRIPTION
    A thin wrapper over the dotnet CLI, which is all a machine needs (the .NET 10 SDK).
      ./build.ps1                 build (Release) and stage the module
      ./build.ps1 -Test           build, run the xUnit suites and the Pester suite (in the pinned pwsh)
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
        # The xUnit suites and, through tests/PipelineOps.Pester.Tests, the Pester suite in the pinned pwsh.
        dotnet test PipelineOps.sln -c $Configuration --no-build
        $failed = $LASTEXITCODE
        $report = Join-Path $PSScriptRoot 'out/test-results/pester.log'
        if (Test-Path $report) { Get-Content $report | Select-Object -Last 3 }
        if ($failed -ne 0) { throw "dotnet test failed ($failed)." }
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
