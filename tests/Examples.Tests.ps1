#Requires -Version 7.6
# Every script in examples/ runs on a small folder, in pwsh (the module found by name on PSModulePath, as after an
# install) and in the pipelineops host, and behaves the same in both.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterSupport.ps1')
    $script:Examples = Join-Path $RepoRoot 'examples'

    # A small folder of completed days, as a collector leaves it.
    function New-RawFolder {
        $raw = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory -Force $raw
        foreach ($day in '20251112', '20251113') {
            $path = Join-Path $raw "ticker_$day.jsonl"
            $time = [datetime]::ParseExact($day, 'yyyyMMdd', $null).AddHours(12).ToString('yyyy-MM-ddTHH:mm:ssZ')
            Set-Content $path "{`"type`":`"ticker`",`"product_id`":`"BTC-USD`",`"time`":`"$time`",`"price`":`"91234.5`"}"
            [System.IO.File]::SetLastWriteTimeUtc($path, [datetime]::UtcNow.AddHours(-6))
        }
        $raw
    }

    # Runs an example script under the named host with its arguments; returns exit code and output.
    function Invoke-Example([string] $Runner, [string] $Script, [string[]] $Arguments) {
        $file = Join-Path $Examples $Script
        if ($Runner -eq 'pwsh') {
            $path = $StagedModules + [System.IO.Path]::PathSeparator + $env:PSModulePath
            Invoke-Pwsh -ArgumentList (@('-File', $file) + $Arguments) -Environment @{ PSModulePath = $path } -WorkingDirectory $TestDrive
        }
        else {
            Invoke-PipelineOps -ArgumentList (@('-File', $file) + $Arguments) -WorkingDirectory $TestDrive
        }
    }
}

Describe 'examples/<_>' -ForEach 'demo.ps1', 'nightly-convert.ps1', 'run-pipeline.ps1' {
    BeforeAll {
        $script:Script = $_
    }

    It 'is covered by these tests' {
        (Get-ChildItem $Examples -Filter *.ps1).Name | Should -Contain $Script
    }

    It 'runs under <_>' -ForEach 'pwsh', 'pipelineops' {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        switch ($Script) {
            'demo.ps1' {
                $run = Invoke-Example $_ $Script '-Directory', $folder
                $run.ExitCode | Should -Be 0 -Because $run.Stderr
                $run.Stdout | Should -Match 'Safe to convert now'
                Get-ChildItem (Join-Path $folder 'dataset') -Recurse -Filter *.parquet | Should -Not -BeNullOrEmpty
                Get-ChildItem (Join-Path $folder 'collected') -Filter *.jsonl | Should -Not -BeNullOrEmpty
            }
            'nightly-convert.ps1' {
                $run = Invoke-Example $_ $Script '-Source', (New-RawFolder), '-Destination', $folder
                $run.ExitCode | Should -Be 0 -Because $run.Stderr
                # The newest day is the collector's current file: skipped as active.
                $run.Stdout | Should -Match 'converted 1 file\(s\), 1 rows; up to date 0; skipped as active 1; failed 0; damaged outputs 0'
            }
            'run-pipeline.ps1' {
                $null = New-Item -ItemType Directory $folder
                $run = Invoke-Example $_ $Script '-Root', $folder
                $run.ExitCode | Should -Be 0 -Because $run.Stderr
                Get-ChildItem (Join-Path $folder 'raw') -Filter '*.jsonl' | Should -Not -BeNullOrEmpty
                Get-ChildItem (Join-Path $folder 'dataset') -Recurse -Filter *.parquet | Should -Not -BeNullOrEmpty
            }
        }
    }
}

Describe 'Settings from a .psd1 file (examples/run-pipeline.ps1)' {
    It 'reports every unknown key under <_>, with the file and section, and runs nothing' -ForEach 'pwsh', 'pipelineops' {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $folder
        $config = Join-Path $folder 'typo.psd1'
        Set-Content $config "@{ Collect = @{ Demo = `$true; Directory = 'raw'; FlushIntervall = '1s'; Duration = '1s'; Wait = `$true }; Convert = @{ Destination = 'ds'; Compresion = 'Zstd' }; Extra = @{} }"
        $run = Invoke-Example $_ 'run-pipeline.ps1' '-Config', $config, '-Root', $folder
        $run.ExitCode | Should -Be 1
        $run.Stderr | Should -Match "'FlushIntervall' in section Collect is not a parameter of Start-Collector"
        $run.Stderr | Should -Match "'Compresion' in section Convert is not a parameter of Convert-JsonlToParquet"
        $run.Stderr | Should -Match "unknown section 'Extra'"
        Join-Path $folder 'raw' | Should -Not -Exist
    }

    It 'splats the example settings as they are' {
        $settings = Import-PowerShellDataFile (Join-Path $Examples 'pipeline.psd1')
        $settings.Keys | Sort-Object | Should -Be @('Collect', 'Convert')
        $settings.Collect.Demo | Should -BeTrue
    }
}
