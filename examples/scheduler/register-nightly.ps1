#Requires -Modules PipelineOps
<#
.SYNOPSIS
    Runbook: registers the nightly preset (the 00:05 conversion and the sampler every 5 minutes) in the scheduler
    store, replacing an earlier registration, and shows what is scheduled.
.EXAMPLE
    pipelineops -File examples/scheduler/register-nightly.ps1 -Raw /data/raw -Parquet /data/parquet -TimeZone Europe/London
#>
param(
    [Parameter(Mandatory)] [string] $Raw,
    [Parameter(Mandatory)] [string] $Parquet,
    [string] $StagingRoot,
    [string] $Vendor,
    [string] $Dataset,
    [string] $Version,
    [string] $TimeZone = 'UTC',
    [string] $StorePath
)

$store = if ($StorePath) { @{ StorePath = $StorePath } } else { @{} }
$convert = @{ Path = $Raw; Destination = $Parquet; Compression = 'Zstd' }
$preset = @{ Preset = 'Nightly'; Convert = $convert; TimeZone = $TimeZone; Force = $true }
if ($StagingRoot) {
    $preset.Sample = @{ Root = $StagingRoot; Vendor = $Vendor; Dataset = $Dataset; Version = $Version }
}

Register-PipelineJob @preset @store
Get-PipelineJob @store
