<#
.SYNOPSIS
    PipelineOps demo: a collector-like folder, which of its files are safe to read, and the nightly conversion.

.DESCRIPTION
    Makes a small folder shaped like a 24/7 collector's output - completed days, today's files (one still held
    open by a writer, one ending in a torn line), an upload under a temporary name - and shows what
    Test-FileActive says about each file and the files a converter may take. Then it runs the nightly job:
    Convert-JsonlToParquet turns the completed files into a date-partitioned Parquet dataset (skipping today's,
    with the reasons), and Test-ParquetFile checks the result. Last, Start-Collector collects three seconds of the
    built-in market feed and Test-DataContinuity reports what the files cover.
    Runs in pwsh with the module imported, or through the pipelineops host:

        ./out/host/pipelineops -File examples/demo.ps1

.PARAMETER Directory
    Where to make the folder. Default: a new folder under the system temp directory. An existing folder is
    never overwritten: the demo refuses to use a folder that is not empty.
#>
[CmdletBinding()]
param(
    [string] $Directory = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), "pipelineops-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))")
)

$ErrorActionPreference = 'Stop'
if ([System.IO.Directory]::Exists($Directory) -and [System.IO.Directory]::EnumerateFileSystemEntries($Directory).GetEnumerator().MoveNext()) {
    throw "The demo folder '$Directory' is not empty; give -Directory a new or empty folder."
}
$null = [System.IO.Directory]::CreateDirectory($Directory)

$today = [datetime]::UtcNow.Date
function Add-DemoFile([string] $Name, [string[]] $Lines, [datetime] $LastWriteUtc, [switch] $TornTail) {
    $path = [System.IO.Path]::Combine($Directory, $Name)
    $text = ($Lines -join "`n") + $(if ($TornTail) { "`n" + '{"type":"l2update","product_id":"BTC-USD","ti' } else { "`n" })
    [System.IO.File]::WriteAllText($path, $text)
    [System.IO.File]::SetLastWriteTimeUtc($path, $LastWriteUtc)
    $path
}

$l2 = '{"type":"l2update","product_id":"BTC-USD","time":"%T","changes":[["buy","91234.50","0.25"]]}'
$tick = '{"type":"ticker","product_id":"ETH-USD","time":"%T","price":"3120.15"}'
foreach ($daysAgo in 3, 2, 1) {
    $day = $today.AddDays(-$daysAgo)
    $stamp = $day.ToString('yyyyMMdd')
    $null = Add-DemoFile "level2_$stamp.jsonl" @($l2 -replace '%T', $day.AddHours(12).ToString('o')) $day.AddDays(1).AddMinutes(-1)
    $null = Add-DemoFile "ticker_$stamp.jsonl" @($tick -replace '%T', $day.AddHours(12).ToString('o')) $day.AddDays(1).AddMinutes(-1)
}
$stamp = $today.ToString('yyyyMMdd')
$level2Today = Add-DemoFile "level2_$stamp.jsonl" @($l2 -replace '%T', [datetime]::UtcNow.ToString('o')) ([datetime]::UtcNow)
$null = Add-DemoFile "ticker_$stamp.jsonl" @($tick -replace '%T', [datetime]::UtcNow.ToString('o')) ([datetime]::UtcNow.AddMinutes(-30)) -TornTail
$null = Add-DemoFile 'temp_vendor_drop.csv' @('symbol,price', 'BTC-USD,91234.50') ([datetime]::UtcNow.AddHours(-2))

# Play the collector: hold today's level2 file open for appending while we ask.
$writer = [System.IO.FileStream]::new($level2Today, [System.IO.FileMode]::Append, [System.IO.FileAccess]::Write, [System.IO.FileShare]::ReadWrite)
try {
    "Demo folder: $Directory"
    ''
    "What Test-FileActive says about every file:"
    # Out-Host per section: one script's output mixes types, and each type should get its own table.
    Test-FileActive -LiteralPath $Directory | Out-Host

    ''
    "Safe to convert now (nothing is writing them):"
    $safe = [string[]] @([System.IO.DirectoryInfo]::new($Directory).GetFiles() |
        Test-FileActive |
        Where-Object IsActive -eq $false |
        ForEach-Object Name)
    [array]::Sort($safe, [System.StringComparer]::Ordinal)
    $safe

    ''
    "The nightly job: Convert-JsonlToParquet into $Directory/dataset"
    Convert-JsonlToParquet -LiteralPath $Directory -Destination ([System.IO.Path]::Combine($Directory, 'dataset')) -Compression Zstd | Out-Host

    ''
    "Checking the dataset:"
    Test-ParquetFile -LiteralPath ([System.IO.Path]::Combine($Directory, 'dataset')) -Recurse -Deep | Out-Host

    ''
    "The collector: three seconds of the built-in market feed into $Directory/collected"
    $collected = [System.IO.Path]::Combine($Directory, 'collected')
    Start-Collector -Demo -Rate 300 -Seed 42 -Destination $collected -FlushInterval 1s -Duration 3s -Wait | Out-Host

    ''
    "What the collected files cover:"
    Test-DataContinuity -LiteralPath $collected -GapThreshold 5s | Out-Host
}
finally {
    $writer.Dispose()
}
