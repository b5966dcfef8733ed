#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Pester 5 suite: what pwsh users type, against the staged module, in real pwsh. `dotnet test` runs it (with
    every other tests/*.Tests.ps1) in the pinned pwsh through tests/PipelineOps.Pester.Tests; by hand, after a build:

        dotnet tool restore; dotnet pwsh tests/Invoke-PesterSuite.ps1
#>

BeforeAll {
    $script:Manifest = Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1'
    if (-not (Test-Path $Manifest)) { throw "Build first: dotnet build -c Release (missing $Manifest)." }
    Import-Module $Manifest -Force

    # A folder shaped like a collector's output, as in tests/PipelineOps.Module.Tests/Support/SampleData.cs.
    function New-SampleData {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $longAgo = [datetime]::UtcNow.AddHours(-6)
        $files = [ordered]@{
            'level2_20251113.txt'         = "{`"type`":`"l2update`"}`n"
            'level2_20251114.txt'         = "{`"type`":`"l2update`"}`n"
            'ticker_20251113.jsonl'       = "{`"type`":`"ticker`"}`n"
            'ticker_20251114.jsonl'       = "{`"type`":`"ticker`"}`n{`"type`":`"tic"
            'temp_upload.csv'             = "a,b`n"
            'odd[1]_20251112.jsonl'       = "{`"n`":1}`n"
            'odd[1]_20251113.jsonl'       = "{`"n`":2}`n"
            'archive/level2_20251101.txt' = "{}`n"
        }
        foreach ($name in $files.Keys) {
            $path = Join-Path $root $name
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $path)
            [System.IO.File]::WriteAllText($path, $files[$name])
            [System.IO.File]::SetLastWriteTimeUtc($path, $longAgo)
        }
        $root
    }
}

AfterAll {
    Remove-Module PipelineOps -ErrorAction SilentlyContinue
}

Describe 'The PipelineOps module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $manifest = Import-PowerShellDataFile $Manifest
        $inAssembly = (Get-Module PipelineOps).ImplementingAssembly.GetExportedTypes() |
            ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { '{0}-{1}' -f $_.VerbName, $_.NounName }
        ($manifest.CmdletsToExport | Sort-Object) | Should -Be ($inAssembly | Sort-Object)
        (Get-Command -Module PipelineOps -CommandType Cmdlet).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'runs its engine on its own copies of its libraries' {
        Get-PipelineOpsDependency | Where-Object LoadContext -ne 'PipelineOps' | Should -BeNullOrEmpty
        (Get-PipelineOpsDependency | Where-Object Name -eq 'Parquet').Version | Should -Be '6.1.0'
    }

    It 'has help with a synopsis, described parameters and examples for <_>' -ForEach @(
        'Test-FileActive', 'Get-PipelineOpsDependency', 'Convert-JsonlToParquet', 'Test-ParquetFile', 'Add-ManifestEntry', 'Get-ManifestEntry'
    ) {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $actual = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object
        $documented = @($help.parameters.parameter | ForEach-Object name) | Where-Object { $_ -notin $common } | Sort-Object
        $documented | Should -Be $actual
    }
}

Describe 'Test-FileActive' {
    BeforeEach {
        $dir = New-SampleData
    }

    It 'gives the files that are safe to read from a Get-ChildItem pipeline' {
        $safe = Get-ChildItem $dir -File | Test-FileActive | Where-Object IsActive -eq $false | ForEach-Object Name
        $safe | Should -Be @('level2_20251113.txt', 'odd[1]_20251112.jsonl', 'ticker_20251113.jsonl')
    }

    It 'reports every rule that fires, the group and the file facts' {
        $today = Test-FileActive -LiteralPath (Join-Path $dir 'ticker_20251114.jsonl')
        $today.Reasons | Should -Be @('Latest', 'TornTail')
        $today.Group | Should -Be 'ticker'
        $today.IsActive | Should -BeTrue
        (Test-FileActive -LiteralPath (Join-Path $dir 'temp_upload.csv')).Reasons | Should -Be 'TempName'
    }

    It 'treats a directory as its files, with -Recurse and -Filter' {
        @(Test-FileActive $dir).Count | Should -Be 7
        @(Test-FileActive $dir -Recurse).Count | Should -Be 8
        (Test-FileActive $dir -Recurse -Filter *.txt).Name | Sort-Object | Should -Be @('level2_20251101.txt', 'level2_20251113.txt', 'level2_20251114.txt')
    }

    It 'binds strings, wildcards, and objects with Path, FullName or PSPath' {
        (Join-Path $dir 'level2_2025111*.txt' | Test-FileActive).Count | Should -Be 2
        ([pscustomobject]@{ Path = Join-Path $dir 'level2_20251113.txt' } | Test-FileActive).Name | Should -Be 'level2_20251113.txt'
        ([pscustomobject]@{ FullName = Join-Path $dir 'level2_20251113.txt' } | Test-FileActive).Name | Should -Be 'level2_20251113.txt'
        (Get-Item (Join-Path $dir 'level2_20251113.txt') | Test-FileActive).Name | Should -Be 'level2_20251113.txt'
    }

    It 'keeps [ and ] literal with -LiteralPath and when its own objects are piped back in' {
        (Test-FileActive -LiteralPath (Join-Path $dir 'odd[1]_20251112.jsonl')).IsActive | Should -BeFalse
        $again = Test-FileActive -LiteralPath $dir | Test-FileActive -ErrorAction Stop
        $again.Name | Should -Be (Test-FileActive -LiteralPath $dir).Name
    }

    It 'reports a missing path as a non-terminating PathNotFound error and goes on' {
        $missing = Join-Path $dir 'nope_20251113.txt'
        $out = (Join-Path $dir 'level2_20251113.txt'), $missing | Test-FileActive -ErrorVariable failures -ErrorAction SilentlyContinue
        @($out).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,PipelineOps.Commands.TestFileActiveCommand'
        $failures[0].TargetObject | Should -Be $missing
    }

    It 'refuses paths on other providers' {
        Test-FileActive -Path Env:HOME -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -Be 'NotFileSystemPath,PipelineOps.Commands.TestFileActiveCommand'
    }

    It 'returns booleans with -Quiet' {
        Test-FileActive -LiteralPath (Join-Path $dir 'level2_20251113.txt'), (Join-Path $dir 'level2_20251114.txt') -Quiet |
            Should -Be @($false, $true)
    }

    It 'takes durations as seconds, with units, or as TimeSpans' -ForEach @(
        @{ Value = 600; Recent = $true }, @{ Value = '10m'; Recent = $true }, @{ Value = '00:10:00'; Recent = $true }, @{ Value = 0; Recent = $false }
    ) {
        $path = Join-Path $dir 'fresh.txt'
        [System.IO.File]::WriteAllText($path, "x`n")
        [System.IO.File]::SetLastWriteTimeUtc($path, [datetime]::UtcNow.AddMinutes(-7))
        Test-FileActive -LiteralPath $path -QuietPeriod $Value -Quiet | Should -Be $Recent
    }

    It 'names the process that holds a file open for writing' -Skip:(-not $IsLinux) {
        $path = Join-Path $dir 'level2_20251113.txt'
        $writer = [System.IO.FileStream]::new($path, 'Append', 'Write', 'ReadWrite')
        try {
            $result = Test-FileActive -LiteralPath $path
            $result.Reasons | Should -Contain 'OpenForWrite'
            # The name the system gives this process: pwsh, or dotnet when pwsh is the .NET global tool.
            $result.Writers | Should -Contain "$PID $((Get-Process -Id $PID).ProcessName)"
        }
        finally {
            $writer.Dispose()
        }
    }

    It 'fires Growing for a file that changes during -StabilityWindow' {
        $path = Join-Path $dir 'ticker_20251113.jsonl'
        $job = Start-ThreadJob { param($p) 1..40 | ForEach-Object { Add-Content -LiteralPath $p '{}'; Start-Sleep -Milliseconds 50 } } -ArgumentList $path
        try {
            Start-Sleep -Milliseconds 200
            (Test-FileActive -LiteralPath $path -StabilityWindow 1s -QuietPeriod 0).Reasons | Should -Contain 'Growing'
        }
        finally {
            $job | Remove-Job -Force
        }
    }
}

Describe 'Convert-JsonlToParquet' {
    BeforeEach {
        $dir = New-SampleData
        $ds = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'converts what Test-FileActive clears into a date-partitioned dataset' {
        $results = Get-ChildItem $dir -File | Test-FileActive | Where-Object IsActive -eq $false | Convert-JsonlToParquet -Destination $ds
        $results.Status | Should -Be @('Converted', 'Converted', 'Converted')
        ($results | Measure-Object Rows -Sum).Sum | Should -Be 3
        Get-ChildItem $ds -Recurse -Filter *.parquet | Should -HaveCount 3
        Test-Path (Join-Path $ds 'date=2025-11-13') | Should -BeTrue
    }

    It 'skips active files with their reasons, and a second run is up to date' {
        $first = Convert-JsonlToParquet $dir $ds
        ($first | Where-Object Name -eq 'ticker_20251114.jsonl').Reason | Should -Be 'active: Latest, TornTail (-IncludeActive would include it)'
        $second = Convert-JsonlToParquet $dir $ds
        ($second | Where-Object Status -eq 'UpToDate').Count | Should -Be 3
    }

    It 'writes nothing with -WhatIf' {
        Convert-JsonlToParquet $dir $ds -WhatIf | Out-Null
        Test-Path $ds | Should -BeFalse
    }

    It 'keeps a field and a fraction that first appear in the last record of a file larger than 4 MB' {
        $path = Join-Path $dir 'big_20251101.jsonl'
        $lines = foreach ($i in 0..39999) { "{`"type`":`"ticker`",`"seq`":$i,`"time`":`"2025-11-01T00:00:00Z`",`"note`":`"padding to make the line longer than a hundred bytes`"}" }
        [System.IO.File]::WriteAllLines($path, [string[]]($lines + '{"type":"ticker","seq":40000.5,"time":"2025-11-01T23:59:59Z","late":"here"}'))
        (Get-Item $path).Length | Should -BeGreaterThan 4MB
        $result = Convert-JsonlToParquet -LiteralPath $path -Destination $ds -IncludeLatest -QuietPeriod 0
        $result.Status | Should -Be 'Converted'
        $result.Rows | Should -Be 40001
        $report = Test-ParquetFile -LiteralPath $result.Outputs[0]
        $report.Columns | Should -Contain 'late'
    }

    It 'quarantines a bad line with its line number and converts the rest' {
        $path = Join-Path $dir 'messy_20251101.jsonl'
        [System.IO.File]::WriteAllText($path, "{`"a`":1}`nnot json`n{`"a`":2}`n")
        $result = Convert-JsonlToParquet -LiteralPath $path -Destination $ds -IncludeLatest -QuietPeriod 0 -WarningAction SilentlyContinue
        $result.Rows | Should -Be 2
        $result.BadLines | Should -Be 1
        (Get-Content $result.RejectsFile | ConvertFrom-Json).line | Should -Be 2
    }

    It 'takes -Schema types by name or by type, and refuses lists, structs and numbers' {
        $file = Join-Path $dir 'level2_20251113.txt'
        $result = Convert-JsonlToParquet -LiteralPath $file -Destination $ds -Schema @{ sequence = [double]; type = 'String' }
        $result.Status | Should -Be 'Converted'
        foreach ($kind in 'List', 'Struct', '3') {
            { Convert-JsonlToParquet -LiteralPath $file -Destination $ds -Schema @{ changes = $kind } -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidSchema,PipelineOps.Commands.ConvertJsonlToParquetCommand'
        }
    }

    It 'reports a failing source as a ConversionFailed error and goes on' {
        $bad = Join-Path $dir 'broken_20251101.jsonl'
        [System.IO.File]::WriteAllText($bad, "{`"a`":1}`nnot json`n")
        $results = Convert-JsonlToParquet -LiteralPath $bad, (Join-Path $dir 'level2_20251113.txt') -Destination $ds -BadLinePolicy Fail -IncludeLatest -QuietPeriod 0 -ErrorVariable failures -ErrorAction SilentlyContinue
        ($results | Sort-Object Name).Status | Should -Be @('Failed', 'Converted')
        $failures[0].FullyQualifiedErrorId | Should -Be 'ConversionFailed,PipelineOps.Commands.ConvertJsonlToParquetCommand'
    }
}

Describe 'Test-ParquetFile' {
    BeforeEach {
        $dir = New-SampleData
        $ds = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        Convert-JsonlToParquet $dir $ds | Out-Null
    }

    It 'finds a converted dataset whole' {
        Test-ParquetFile $ds -Recurse -Deep | ForEach-Object IsValid | Should -Not -Contain $false
    }

    It 'reports a file cut short as invalid, with an error' {
        $file = Get-ChildItem $ds -Recurse -Filter *.parquet | Select-Object -First 1
        $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
        [System.IO.File]::WriteAllBytes($file.FullName, $bytes[0..($bytes.Length / 2)])
        $report = Test-ParquetFile -LiteralPath $file.FullName -ErrorVariable failures -ErrorAction SilentlyContinue
        $report.IsValid | Should -BeFalse
        $failures[0].FullyQualifiedErrorId | Should -Be 'InvalidParquetFile,PipelineOps.Commands.TestParquetFileCommand'
    }
}

Describe 'Add-ManifestEntry and Get-ManifestEntry' {
    BeforeEach {
        $manifest = Join-Path $TestDrive ([guid]::NewGuid().ToString('N')) 'manifests' 'processed.jsonl'
    }

    It 'appends entries from the pipeline and reads them back in order' {
        $entries = 1..3 | ForEach-Object { [pscustomobject]@{ Raw = "raw/env0/f$_.csv"; Bronze = "bronze/f$_.csv"; Mtime = [datetime]::UtcNow; Size = $_ } }
        $entries | Add-ManifestEntry -Manifest $manifest -Fsync
        (Get-ManifestEntry -Manifest $manifest).Raw | Should -Be @('raw/env0/f1.csv', 'raw/env0/f2.csv', 'raw/env0/f3.csv')
        (Get-ManifestEntry -Manifest $manifest -Tail 1).Size | Should -Be 3
    }

    It 'keeps every line whole when several jobs append at once' {
        # A thread job starts with a fresh session: a module imported by path must be imported there too.
        $jobs = 1..3 | ForEach-Object {
            Start-ThreadJob -ArgumentList $script:Manifest, $manifest, $_ {
                param($module, $m, $p)
                Import-Module $module
                1..100 | ForEach-Object { Add-ManifestEntry -Manifest $m -Raw "raw/p$p/$_" -Bronze "bronze/p$p/$_" -Mtime ([datetime]::UtcNow) }
            }
        }
        # Errors inside a job fail the test with their own message.
        $jobs | Receive-Job -Wait -AutoRemoveJob -ErrorAction Stop
        @(Get-ManifestEntry -Manifest $manifest -WarningVariable warnings).Count | Should -Be 300
        $warnings | Should -BeNullOrEmpty
    }

    It 'skips a torn last line and starts the next append on a fresh line' {
        Add-ManifestEntry -Manifest $manifest -Raw raw/a -Bronze bronze/a -Mtime ([datetime]::UtcNow)
        [System.IO.File]::AppendAllText($manifest, '{"raw":"raw/b","bron')
        (Get-ManifestEntry -Manifest $manifest).Raw | Should -Be 'raw/a'
        Add-ManifestEntry -Manifest $manifest -Raw raw/c -Bronze bronze/c -Mtime ([datetime]::UtcNow)
        (Get-ManifestEntry -Manifest $manifest -WarningAction SilentlyContinue).Raw | Should -Be @('raw/a', 'raw/c')
    }
}

Describe 'Staging: Copy-ToBronze, New-DataSample, Invoke-StagingSampler' {
    BeforeEach {
        $base = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $raw = Join-Path $base 'raw'
        $data = Join-Path $base 'data'
        $written = [datetime]::SpecifyKind([datetime]'2026-01-18T14:30:00', 'Utc')
        foreach ($f in @{ 'env0/data.csv' = "id,name`n1,`"a`nb`"`n2,c`n3,d`n"; 'env1/data.csv' = "id,name`n9,z`n"; 'env0/temp_upload.csv' = 'still arriving' }.GetEnumerator()) {
            $path = Join-Path $raw $f.Key
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $path)
            [System.IO.File]::WriteAllText($path, $f.Value)
            [System.IO.File]::SetLastWriteTimeUtc($path, $written)
        }
        $dataset = @{ Root = $data; Vendor = 'sp'; Dataset = 'gics'; Version = '1.0' }
    }

    It 'publishes completed files without overwriting, skips active ones, and a re-run is up to date' {
        $first = Copy-ToBronze -Path $raw -Recurse -RawRoot $raw @dataset -Verify
        ($first | Where-Object Status -eq Skipped).Raw | Should -BeLike '*temp_upload.csv'
        ($first | Where-Object Status -eq Copied).Bronze | Sort-Object | Should -Be @('bronze/2026/01/18/143000--data.csv', 'bronze/2026/01/18/143000-1--data.csv')
        (Copy-ToBronze -Path $raw -Recurse -RawRoot $raw @dataset | Where-Object Status -ne Skipped).Status | Should -Be @('UpToDate', 'UpToDate')
    }

    It 'samples manifest entries into samples/ with whole csv records, and a second pass reads nothing' {
        Copy-ToBronze -Path $raw -Recurse -RawRoot $raw @dataset | Out-Null
        $samples = Invoke-StagingSampler @dataset -Rows 2
        $samples.Status | Should -Be @('Sampled', 'Sampled')
        Get-Content -Raw (Join-Path $data 'sp/gics/1.0/samples/2026/01/18/143000--data_sample.csv') | Should -Be "id,name`n1,`"a`nb`"`n2,c`n"
        Invoke-StagingSampler @dataset | Should -BeNullOrEmpty
    }

    It 'refuses manifest entries outside the dataset and goes on' {
        Add-ManifestEntry @dataset -Raw raw/x -Bronze '../../../../etc/passwd' -Mtime ([datetime]::UtcNow)
        $result = Invoke-StagingSampler @dataset -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SampleFailed,*'
    }
}

Describe 'Start-Collector and Test-DataContinuity' {
    BeforeEach {
        $dir = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'writes piped objects as one JSON line each and reports them flushed' {
        $collector = 1..250 | ForEach-Object { [pscustomobject]@{ type = 'reading'; n = $_ } } | Start-Collector -Directory $dir -Stream readings -FlushCount 100
        $collector.State | Should -Be 'Stopped'
        $collector.Flushed | Should -Be 250
        (Get-Content (Get-ChildItem $dir -Filter 'readings_*.jsonl').FullName).Count | Should -Be 250
    }

    It 'runs in the background until Stop-Collector, and appends after a torn line moved aside' {
        $file = Join-Path $dir ('demo_{0:yyyyMMdd}.jsonl' -f [datetime]::UtcNow)
        $null = New-Item -ItemType Directory -Force $dir
        [System.IO.File]::WriteAllText($file, "{`"n`":1}`n{`"n`":2,`"to")
        $c = Start-Collector -Demo -Rate 500 -Directory $dir -Stream demo -FlushInterval 200ms
        Start-Sleep -Milliseconds 800
        $stopped = Stop-Collector -Id $c.Id -PassThru -WarningVariable warnings
        $stopped.Flushed | Should -BeGreaterThan 0
        Get-Content "$file.torn" | Should -Be '{"n":2,"to'
        (Get-Content $file)[0] | Should -Be '{"n":1}'
    }

    It 'scores a stream with a gap below 100' {
        $null = New-Item -ItemType Directory -Force $dir
        $lines = 0..59 | Where-Object { $_ -lt 10 -or $_ -ge 40 } | ForEach-Object { '{{"product_id":"BTC-USD","time":"2025-11-14T10:{0:00}:00Z"}}' -f $_ }
        Set-Content (Join-Path $dir 'ticker_20251114.jsonl') $lines
        $report = Test-DataContinuity $dir -GapThreshold 5m
        $report.GapCount | Should -Be 1
        $report.Score | Should -BeLessThan 100
    }
}
