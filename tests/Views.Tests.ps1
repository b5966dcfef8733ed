#Requires -Version 7.6
# Objects as users see them with Format-List: every output type has a list view, and Format-List * shows values,
# not type names or record dumps. (The Collector's views are tested with the Collector.)

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1') -Force
    $script:FormatFile = Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.format.ps1xml'
}

Describe 'List views' {
    It 'exist for every type a cmdlet outputs' {
        $outputTypes = Get-Command -Module PipelineOps | ForEach-Object OutputType | ForEach-Object Name |
            Where-Object { $_ -like 'PipelineOps.*' -and $_ -ne 'PipelineOps.Collection.Collector' } | Sort-Object -Unique
        $listViews = ([xml](Get-Content -Raw $FormatFile)).Configuration.ViewDefinitions.View |
            Where-Object { $_.ListControl } | ForEach-Object { $_.ViewSelectedBy.TypeName }
        $outputTypes | Should -Not -BeNullOrEmpty
        foreach ($type in $outputTypes) { $listViews | Should -Contain $type -Because "$type needs a list view" }
    }

    It 'put the verdict first: Format-List of a conversion result starts with Name and Status' {
        $raw = Join-Path $TestDrive 'raw'
        $null = New-Item -ItemType Directory -Force $raw
        Set-Content (Join-Path $raw 't_20251113.jsonl') '{"type":"ticker","time":"2025-11-13T10:00:00Z"}'
        $text = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $TestDrive 'ds') -IncludeLatest -QuietPeriod 0 |
            Format-List | Out-String
        ($text.Trim() -split "`n")[0..1] -replace '\s+', ' ' | Should -Be @('Name : t_20251113.jsonl', 'Status : Converted')
    }

    It 'show times in table columns, and a time property formats as any time does' {
        $dir = Join-Path $TestDrive 'collected-times'
        $null = New-Item -ItemType Directory -Force $dir
        Set-Content (Join-Path $dir 'ticker_20251114.jsonl') @(
            '{"product_id":"BTC-USD","time":"2025-11-14T10:00:00Z"}', '{"product_id":"BTC-USD","time":"2025-11-14T10:30:00Z"}')
        $report = Test-DataContinuity -LiteralPath $dir -GapThreshold 5m
        $report | Format-Table | Out-String | Should -Match 'ticker .* 2025-11-14 10:00:00 +2025-11-14 10:30:00'
        $report.Start.ToString('yyyyMMdd HHmm') | Should -Be '20251114 1000'
        $report.Start.ToString() | Should -Be '2025-11-14T10:00:00Z'
        $file = Get-ChildItem $dir | Test-FileActive
        $file | Format-Table | Out-String -Width 300 | Should -Match $file.LastWriteTimeUtc.ToString('yyyy-MM-dd HH:mm:ss', [cultureinfo]::InvariantCulture)
    }

    It 'show continuity gaps as times, not as a record dump, in Format-List *' {
        $dir = Join-Path $TestDrive 'collected'
        $null = New-Item -ItemType Directory -Force $dir
        Set-Content (Join-Path $dir 'ticker_20251114.jsonl') @(
            '{"product_id":"BTC-USD","time":"2025-11-14T10:00:00Z"}', '{"product_id":"BTC-USD","time":"2025-11-14T10:30:00Z"}')
        $text = Test-DataContinuity -LiteralPath $dir -GapThreshold 5m | Format-List * | Out-String
        $text | Should -Match 'Gaps\s+: \{2025-11-14T10:00:00Z to 2025-11-14T10:30:00Z \(00:30:00\) BTC-USD\}'
        $text | Should -Not -Match 'Gap \{'
    }
}
