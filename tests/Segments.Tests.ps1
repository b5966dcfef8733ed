#Requires -Version 7.6
# Parquet segments after a crash, and copying ready/ elsewhere, as an operator types it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1') -Force

    function New-Journal([string] $Root, [int] $Rows, [string] $Tail = '') {
        $folder = Join-Path $Root 'active' 'tick' 'side=buy'
        $null = New-Item -ItemType Directory -Force $folder
        $lines = 1..$Rows | ForEach-Object { '{"time":"2026-11-28T10:00:0' + ($_ % 10) + 'Z","id":' + $_ + ',"price":"1.5"}' }
        $path = Join-Path $folder 'tick_20261128_0001.rows.jsonl'
        [IO.File]::WriteAllText($path, (($lines -join "`n") + "`n" + $Tail))
        $path
    }
}

Describe 'Move-OrphanSegment' {
    It 'closes a journal a killed collector left into a whole Parquet file in ready/, keeping the torn original' {
        $root = Join-Path $TestDrive 'crashed'
        $journal = New-Journal $root 3 '{"time":"2026-11-28T10:00:09Z","id":4,"pri'

        $result = Move-OrphanSegment -Path $root
        $result.Action | Should -Be 'Salvaged'
        $result.Rows | Should -Be 3
        $result.Destination | Should -BeLike "*ready*tick*side=buy*.parquet"
        Test-Path $journal | Should -BeFalse
        Get-Content -Raw $result.Quarantined | Should -BeLike '*"pri'
        (Test-ParquetFile -LiteralPath $result.Destination -Deep).IsValid | Should -BeTrue
    }

    It 'changes nothing under -WhatIf, and is also called Move-OrphanSegments' {
        $root = Join-Path $TestDrive 'whatif'
        $journal = New-Journal $root 2
        Move-OrphanSegments -Path $root -WhatIf | Should -BeNullOrEmpty
        Test-Path $journal | Should -BeTrue
        Test-Path (Join-Path $root 'ready') | Should -BeFalse
    }
}

Describe 'Sync-Segment' {
    It 'copies the tree keeping relative paths, skips what is already there, and reports a conflict instead of overwriting' {
        $source = Join-Path $TestDrive 'ready'
        $target = Join-Path $TestDrive 'mirror'
        $null = New-Item -ItemType Directory -Force (Join-Path $source 'tick' 'side=buy')
        Set-Content -LiteralPath (Join-Path $source 'tick' 'side=buy' 'a.parquet') 'first'
        Set-Content -LiteralPath (Join-Path $source 'tick' 'b.parquet') 'second'

        $first = Sync-Segment -Path $source -Destination $target
        @($first | Where-Object Action -eq 'Copied').Count | Should -Be 2
        Get-Content -LiteralPath (Join-Path $target 'tick' 'side=buy' 'a.parquet') | Should -Be 'first'

        (Sync-Segment -Path $source -Destination $target).Action | Should -Be @('Skipped', 'Skipped')

        Set-Content -LiteralPath (Join-Path $target 'tick' 'b.parquet') 'someone else''s'
        $conflict = Sync-Segment -Path $source -Destination $target -WarningAction SilentlyContinue -ErrorAction SilentlyContinue |
            Where-Object Action -eq 'Conflict'
        $conflict.Source | Should -BeLike '*b.parquet'
        Get-Content -LiteralPath (Join-Path $target 'tick' 'b.parquet') | Should -Be 'someone else''s'
    }

    It 'removes a source file only after its copy is verified' {
        $source = Join-Path $TestDrive 'ready2'
        $target = Join-Path $TestDrive 'mirror2'
        $null = New-Item -ItemType Directory -Force $source
        Set-Content -LiteralPath (Join-Path $source 'c.parquet') 'third'
        $result = Sync-Segment -Path $source -Destination $target -RemoveSource
        $result.SourceRemoved | Should -BeTrue
        Test-Path (Join-Path $source 'c.parquet') | Should -BeFalse
        Get-Content -LiteralPath (Join-Path $target 'c.parquet') | Should -Be 'third'
    }
}
