<#
.SYNOPSIS
    The nightly job: converts every completed JSON-lines file into the Parquet dataset, then checks what it wrote.

.DESCRIPTION
    Run it at 00:05 (systemd/pipelineops-convert.timer does): yesterday's files are complete by then, today's are
    skipped as active, and after days of downtime every missed day is caught up, because the dataset's ledger
    knows what was converted. Exits 1 when any source failed or any written file is damaged, so the service
    manager sees it.

.EXAMPLE
    pipelineops -File nightly-convert.ps1 -Source /data/raw -Destination /data/parquet
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $Source,

    [Parameter(Mandatory)]
    [string] $Destination,

    [ValidateSet('Snappy', 'Zstd', 'Gzip', 'Lz4', 'None')]
    [string] $Compression = 'Zstd',

    [string[]] $TypeFilter = @(),

    # A source with more bad lines than this fails the job (its lines are still kept in the dataset's _rejects).
    [long] $MaxBadLines = -1
)

$ErrorActionPreference = 'Continue'
$convert = @{ LiteralPath = $Source; Destination = $Destination; Compression = $Compression; Recurse = $true }
if ($TypeFilter.Count -gt 0) { $convert.TypeFilter = $TypeFilter }
if ($MaxBadLines -ge 0) { $convert.MaxBadLines = $MaxBadLines }

$results = @(Convert-JsonlToParquet @convert)
$converted = @($results | Where-Object Status -eq 'Converted')
$failed = @($results | Where-Object Status -eq 'Failed')
$skipped = @($results | Where-Object Status -eq 'Skipped')
$rows = 0
foreach ($result in $converted) { $rows += $result.Rows }

# Check only what this run wrote: the rest was checked when it was written.
$damaged = @()
foreach ($result in $converted) {
    $damaged += @(Test-ParquetFile -LiteralPath $result.Outputs -Deep -ErrorAction SilentlyContinue | Where-Object IsValid -eq $false)
}

"converted $($converted.Count) file(s), $rows rows; up to date $(@($results | Where-Object Status -eq 'UpToDate').Count); " +
"skipped as active $($skipped.Count); failed $($failed.Count); damaged outputs $($damaged.Count)"
foreach ($failure in $failed) { "FAILED $($failure.Source): $($failure.Reason)" }
foreach ($file in $damaged) { "DAMAGED $($file.Path): $($file.Problem)" }

if ($failed.Count -gt 0 -or $damaged.Count -gt 0) { exit 1 }
exit 0
