#Requires -Version 7.6
# Every exported cmdlet has Pester tests of what users type. This file holds the ones no other file covers
# and a guard that keeps it so.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1') -Force
}

Describe 'The Pester suite' {
    It 'calls every exported cmdlet somewhere in tests/*.Tests.ps1' {
        $suite = Get-ChildItem $PSScriptRoot -Filter *.Tests.ps1 | Get-Content -Raw
        $untested = (Get-Command -Module PipelineOps -CommandType Cmdlet).Name | Where-Object { -not ($suite -match "\b$_\b") }
        $untested | Should -BeNullOrEmpty
    }
}

Describe 'ConvertTo-BronzePath' {
    It 'maps a raw file to its bronze path: environment folder dropped, date and time from the mtime in UTC' {
        $raw = Join-Path $TestDrive 'raw'
        $file = Join-Path $raw 'env0' 'data.csv'
        $null = New-Item -ItemType Directory -Force (Split-Path $file)
        Set-Content $file 'id'
        [System.IO.File]::SetLastWriteTimeUtc($file, [datetime]::SpecifyKind([datetime]'2026-01-18T14:30:00', 'Utc'))
        (ConvertTo-BronzePath -Path $file -RawRoot $raw).Bronze | Should -Be 'bronze/2026/01/18/143000--data.csv'
    }
}

Describe 'New-DataSample' {
    It 'writes the first whole records of a csv file' {
        $source = Join-Path $TestDrive 'orders.csv'
        Set-Content $source @('id,name', '1,a', '2,b', '3,c')
        $result = New-DataSample -Path $source -Destination (Join-Path $TestDrive 'samples') -Rows 2
        $result.Status | Should -Be 'Sampled'
        $result.Rows | Should -Be 2
        Get-Content $result.Sample | Should -Be @('id,name', '1,a', '2,b')
    }
}

Describe 'Get-Collector and Wait-Collector' {
    It 'finds a running collector by id and waits for it to stop on its own' {
        $c = Start-Collector -Demo -Rate 100 -Directory (Join-Path $TestDrive 'demo') -Duration 1s -FlushInterval 200ms
        (Get-Collector -Id $c.Id).Id | Should -Be $c.Id
        $done = Wait-Collector -Id $c.Id
        $done.State | Should -Be 'Stopped'
        $done.Flushed | Should -BeGreaterThan 0
    }
}
