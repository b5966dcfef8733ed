#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    What a newcomer trips over, as a user types it in pwsh: safe defaults, objects that filter, pipe
    and export cleanly, progress that informs, help and tab completion. Against the staged module:

        dotnet build -c Release; Invoke-Pester ./tests/Usability.Tests.ps1 -Output Detailed

    tests/PipelineOps.Module.Tests/UsabilityTests.cs covers the same behaviours in the engine-hosted xUnit suite.
#>

BeforeAll {
    $script:Manifest = Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1'
    if (-not (Test-Path $Manifest)) { throw "Build first: dotnet build -c Release (missing $Manifest)." }
    Import-Module $Manifest -Force

    $script:LongAgo = [datetime]::UtcNow.AddDays(-8)

    # Writes a file under $root with the given text and last write time (8 days ago unless given).
    function Write-TestFile([string] $Root, [string] $Relative, [string] $Text, [datetime] $Mtime = $LongAgo) {
        $path = Join-Path $Root $Relative
        $null = New-Item -ItemType Directory -Force (Split-Path $path)
        [System.IO.File]::WriteAllText($path, $Text)
        [System.IO.File]::SetLastWriteTimeUtc($path, $Mtime)
        $path
    }
}

Describe 'What a newcomer meets' {
    BeforeEach {
        $root = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $null = New-Item -ItemType Directory $root
    }

    AfterAll {
        Get-Collector | Remove-Collector -Force
    }

    Describe 'Start-Collector needs a source' {
        It 'refuses to start without -Uri, piped objects or -Demo, and creates nothing' {
            $data = Join-Path $root 'data'
            { Start-Collector -Directory $data } | Should -Throw -ErrorId 'SourceRequired,PipelineOps.Commands.StartCollectorCommand'
            Test-Path $data | Should -BeFalse
        }

        It 'still starts the demo feed when asked for it by name' {
            $c = Start-Collector -Demo -Rate 200 -Directory (Join-Path $root 'demo_data') -Duration 500ms -Wait
            $c.State | Should -Be 'Stopped'
            $c.Flushed | Should -Be $c.Received
        }
    }

    Describe 'The Collector object' {
        BeforeEach {
            $c = Start-Collector -Demo -Rate 2000 -Seed 1 -Directory (Join-Path $root 'demo') -FlushInterval 100ms
            Start-Sleep -Milliseconds 500
        }

        AfterEach {
            Get-Collector | Remove-Collector -Force
        }

        It 'filters on top-level counters and by state' {
            (Get-Collector | Where-Object Received -gt 0).Id | Should -Contain $c.Id
            (Get-Collector -State Running).Id | Should -Contain $c.Id
            Get-Collector -State Failed | Should -BeNullOrEmpty
        }

        It 'has no engine methods' {
            (Get-Collector -Id $c.Id | Get-Member -MemberType Method).Name | Sort-Object | Should -Be @('Equals', 'GetHashCode', 'GetType', 'ToString')
        }

        It 'is silent on Stop-Collector unless -PassThru, and Remove-Collector forgets stopped ones' {
            Stop-Collector -Id $c.Id | Should -BeNullOrEmpty
            (Stop-Collector -Id $c.Id -PassThru).State | Should -Be 'Stopped'
            { Remove-Collector -Id $c.Id -ErrorAction Stop } | Should -Not -Throw
            Get-Collector -Id $c.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }

        It 'warns with the cause, the next delay and the attempt when a feed cannot be reached, at Get-Collector and while Wait-Collector waits' {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop() # a port nothing listens on
            $feed = Start-Collector -Uri "ws://127.0.0.1:$port/feed" -Directory (Join-Path $root 'feed') -Stream feed -MaxBackoff 1s
            $shown = @()
            for ($i = 0; $i -lt 100 -and (Get-Collector -Id $feed.Id -WarningVariable +shown -WarningAction SilentlyContinue).Errors -lt 2; $i++) { Start-Sleep -Milliseconds 100 }
            $pattern = "^Collector $($feed.Id): connection to ws://127\.0\.0\.1:$port/feed failed: cannot connect to 127\.0\.0\.1:$($port): .+; reconnecting in [\d.]+ s \(attempt \d+\)$"
            @($shown | Where-Object { $_.Message -match $pattern }).Count | Should -BeGreaterThan 0 -Because "$shown"
            $null = Wait-Collector -Id $feed.Id -Timeout 2s -WarningVariable waited -WarningAction SilentlyContinue
            @($waited | Where-Object { $_.Message -match $pattern }).Count | Should -BeGreaterThan 0
            Remove-Collector -Id $feed.Id -Force -WarningAction Ignore
        }

        It 'refuses to remove a running collector without -Force' {
            { Remove-Collector -Id $c.Id -ErrorAction Stop } | Should -Throw -ErrorId 'CollectorRunning,PipelineOps.Commands.RemoveCollectorCommand'
        }

        It 'exports to JSON and CSV with names, not types' {
            Stop-Collector -Id $c.Id
            $json = Get-Collector -Id $c.Id | ConvertTo-Json -WarningVariable depth
            $depth | Should -BeNullOrEmpty
            $parsed = $json | ConvertFrom-Json -AsHashtable
            $parsed.State | Should -Be 'Stopped'
            $parsed.Flushed | Should -Be $parsed.Received
            $parsed.Keys | Should -Not -Contain 'Stats'
            $json | Should -Match '"StoppedUtc": "\d{4}-\d\d-\d\dT[\d:.]+Z"'
            $csv = Get-Collector -Id $c.Id | ConvertTo-Csv | Out-String
            $csv | Should -Not -Match 'System\.|`1|CollectorStats|Task'
        }
    }

    Describe 'Tab completion' {
        It 'completes collector ids for -Id and time zone ids for -TimeZone' {
            $c = Start-Collector -Demo -Rate 10 -Directory (Join-Path $root 'demo')
            try {
                (TabExpansion2 -inputScript 'Stop-Collector -Id ' -cursorColumn 19).CompletionMatches.CompletionText | Should -Contain "$($c.Id)"
                (TabExpansion2 -inputScript 'Get-Collector -Id ' -cursorColumn 18).CompletionMatches.CompletionText | Should -Contain "$($c.Id)"
                (TabExpansion2 -inputScript 'Start-Collector -TimeZone Europe/Ber' -cursorColumn 36).CompletionMatches.CompletionText | Should -Contain 'Europe/Berlin'
            }
            finally {
                Remove-Collector -Id $c.Id -Force
            }
        }
    }

    Describe 'Reasons and skip reasons' {
        It 'finds a Latest file with Where-Object as it finds a TempName one' {
            $only = Write-TestFile $root 'raw/only_20251101.jsonl' "{}`n"
            $temp = Write-TestFile $root 'raw/temp_upload.jsonl' "{}`n"
            (Test-FileActive -LiteralPath $only | Where-Object { $_.Reasons -eq 'Latest' }).Name | Should -Be 'only_20251101.jsonl'
            (Test-FileActive -LiteralPath $temp | Where-Object { $_.Reasons -eq 'TempName' }).Name | Should -Be 'temp_upload.jsonl'
            [int](Test-FileActive -LiteralPath $only).Reasons[0] | Should -BeGreaterThan 0 # no reason is 0, which would read as false
        }

        It 'names the switch that would include a skipped file' {
            $only = Write-TestFile $root 'raw/only_20251101.jsonl' "{`"time`":`"2025-11-01T00:00:00Z`"}`n"
            $torn = Write-TestFile $root 'raw/torn_20251102.jsonl' "{`"ti" ([datetime]::UtcNow.AddDays(-2))
            $results = Convert-JsonlToParquet -LiteralPath $only, $torn -Destination (Join-Path $root 'ds')
            ($results | Where-Object Name -eq 'only_20251101.jsonl').Reason | Should -Be 'active: Latest (-IncludeLatest would include it)'
            ($results | Where-Object Name -eq 'torn_20251102.jsonl').Reason | Should -Be 'active: Latest, TornTail (-IncludeActive would include it)'
        }
    }

    Describe 'Conversion results say what happened' {
        It 'counts records whose time is not a time, and warns' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n{`"time`":`"not-a-time`"}`n"
            $r = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $root 'ds') -IncludeLatest -WarningVariable warned
            $r.BadTimes | Should -Be 1
            $r.BadTimeDate | Should -Be ([datetime]'2025-11-01')
            $r.Reason | Should -Match 'unreadable'
            "$warned" | Should -Match 'not a time'
        }

        It 'quarantines records whose time is not a time with -BadTimePolicy Quarantine, with line number and reason' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n{`"time`":`"not-a-time`"}`n"
            $r = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $root 'ds') -IncludeLatest -BadTimePolicy Quarantine -WarningVariable warned
            $r.Rows | Should -Be 1
            $r.BadTimes | Should -Be 1
            $r.Reason | Should -Match 'quarantined'
            "$warned" | Should -Match 'quarantined in'
            $rejected = Get-Content $r.RejectsFile | ConvertFrom-Json
            $rejected.line | Should -Be 2
            $rejected.error | Should -Match "'time' is not a time"
            $rejected.text | Should -Be '{"time":"not-a-time"}'
            (Test-ParquetFile -LiteralPath $r.Outputs -Deep -WarningVariable checked).BadTimes | Should -Be 0
            $checked | Should -BeNullOrEmpty
        }

        It 'has Test-ParquetFile -Deep report rows filed by the file name''s date instead of calling them simply valid' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n{`"time`":`"not-a-time`"}`n"
            $r = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $root 'ds') -IncludeLatest -WarningAction SilentlyContinue
            $report = $r | Test-ParquetFile -Deep -WarningVariable checked
            $report.IsValid | Should -BeTrue
            $report.BadTimes | Should -Be 1
            "$checked" | Should -Match '1 row\(s\) had a time that was not a time'
        }

        It 'reports a -TypeFilter that matches nothing as Skipped with the reason' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"type`":`"ticker`",`"time`":`"2025-11-01T10:00:00Z`"}`n"
            $r = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $root 'ds') -IncludeLatest -TypeFilter l2update
            $r.Status | Should -Be 'Skipped'
            $r.Reason | Should -Be 'all 1 record(s) were left out by -TypeFilter; nothing was written'
            $r.Outputs | Should -BeNullOrEmpty
        }

        It 'reports the rows an up-to-date sample holds' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"n`":1}`n{`"n`":2}`n"
            $first = New-DataSample -LiteralPath $raw -Destination (Join-Path $root 'samples')
            $again = New-DataSample -LiteralPath $raw -Destination (Join-Path $root 'samples')
            $first.Status | Should -Be 'Sampled'
            $first.Rows | Should -Be 2
            $again.Status | Should -Be 'UpToDate'
            $again.Rows | Should -Be 2
        }

        It 'checks the destination before printing any result' {
            $null = Write-TestFile $root 'raw/a_20251101.jsonl' "{`"time`":`"2025-11-01T00:00:00Z`"}`n"
            $null = Write-TestFile $root 'raw/a_20251102.jsonl' "{`"time`":`"2025-11-02T00:00:00Z`"}`n"
            $file = Write-TestFile $root 'not-a-folder' 'x'
            $out = $null
            { $script:out = Convert-JsonlToParquet (Join-Path $root 'raw') -Destination $file } |
                Should -Throw -ErrorId 'DestinationNotFolder,PipelineOps.Commands.ConvertJsonlToParquetCommand'
            $script:out | Should -BeNullOrEmpty
        }
    }

    Describe 'Every output type exports cleanly' {
        BeforeEach {
            $raw = Write-TestFile $root 'raw/env0/ticker_20251101.jsonl' "{`"type`":`"ticker`",`"time`":`"2025-11-01T10:00:00Z`"}`n"
            $torn = Write-TestFile $root 'raw/env0/ticker_20251102.jsonl' "{`"type`":`"ticker`",`"time`":`"2025-11-02T10:00:00Z`"}`n{`"ty" ([datetime]::UtcNow.AddDays(-2))
            $rawRoot = Join-Path $root 'raw'
            $data = Join-Path $root 'data'
            $ds = Join-Path $root 'ds'
            $dataset = @{ Root = $data; Vendor = 'v'; Dataset = 'd'; Version = '1' }
        }

        It 'exports <_> with enums by name, lists joined or nested, times in ISO 8601 UTC' -ForEach @(
            'FileActivity', 'ConversionResult', 'ParquetFileReport', 'ContinuityReport', 'BronzeTarget', 'PublishResult',
            'ManifestEntry', 'SampleResult', 'CollectorStatus', 'DependencyInfo'
        ) {
            $name = $_
            $objects = switch ($name) {
                'FileActivity' { Test-FileActive -LiteralPath $raw, $torn }
                'ConversionResult' { Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest }
                'ParquetFileReport' { $null = Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest; Test-ParquetFile $ds -Recurse }
                'ContinuityReport' { Test-DataContinuity -LiteralPath $raw }
                'BronzeTarget' { ConvertTo-BronzePath -LiteralPath $raw -RawRoot $rawRoot @dataset }
                'PublishResult' { Copy-ToBronze -LiteralPath $raw -RawRoot $rawRoot @dataset -IncludeLatest }
                'ManifestEntry' { $null = Copy-ToBronze -LiteralPath $raw -RawRoot $rawRoot @dataset -IncludeLatest; Get-ManifestEntry @dataset }
                'SampleResult' { New-DataSample -LiteralPath $raw -Destination (Join-Path $root 'samples') }
                'CollectorStatus' { 1..3 | ForEach-Object { @{ type = 'r'; n = $_ } } | Start-Collector -Directory (Join-Path $root 'c') -Stream r }
                'DependencyInfo' { Get-PipelineOpsDependency }
            }
            $first = @($objects)[0]
            $first.GetType().Name | Should -Be $name

            $json = $first | ConvertTo-Json -WarningVariable depth
            $depth | Should -BeNullOrEmpty
            $json | Should -Not -Match '"(Status|State|WriterCheck)": \d'
            $json | Should -Not -Match '"\w+": "\d\d/\d\d/\d{4}'
            $null = $json | ConvertFrom-Json

            $csv = $first | ConvertTo-Csv | Out-String
            $csv | Should -Not -Match 'System\.Collections|`1\['
            $row = $csv | ConvertFrom-Csv
            foreach ($p in $first.PSObject.Properties) {
                if ($p.Value -is [enum]) { $row.($p.Name) | Should -Be $p.Value.ToString() }
            }
        }

        It 'exports the times of <_> as ISO 8601 UTC through CSV and JSON, and they still filter and sort as times' -ForEach @(
            'FileActivity', 'ConversionResult', 'ContinuityReport', 'BronzeTarget', 'PublishResult', 'ManifestEntry',
            'CollectorStatus', 'PipelineJobStatus', 'JobRun', 'SchedulerStatus'
        ) {
            $name = $_
            $bad = Write-TestFile $root 'raw/env0/bad_20251101.jsonl' "{`"time`":`"not-a-time`"}`n"
            $store = Join-Path $root 'jobs.db'
            $objects = switch ($name) {
                'FileActivity' { Test-FileActive -LiteralPath $raw, $torn }
                'ConversionResult' { Convert-JsonlToParquet -LiteralPath $bad -Destination $ds -IncludeLatest -WarningAction SilentlyContinue }
                'ContinuityReport' { Test-DataContinuity -LiteralPath $raw }
                'BronzeTarget' { ConvertTo-BronzePath -LiteralPath $raw -RawRoot $rawRoot @dataset }
                'PublishResult' { Copy-ToBronze -LiteralPath $raw -RawRoot $rawRoot @dataset -IncludeLatest }
                'ManifestEntry' { $null = Copy-ToBronze -LiteralPath $raw -RawRoot $rawRoot @dataset -IncludeLatest; Get-ManifestEntry @dataset }
                'CollectorStatus' { 1..3 | ForEach-Object { @{ type = 'r'; n = $_ } } | Start-Collector -Directory (Join-Path $root 'c') -Stream r }
                'PipelineJobStatus' { $null = Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store; Get-PipelineJob -StorePath $store }
                'JobRun' { $null = Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store; Invoke-PipelineJob a -StorePath $store }
                'SchedulerStatus' { try { Start-PipelineScheduler -Store Memory } finally { Stop-PipelineScheduler -ErrorAction SilentlyContinue } }
            }
            $first = @($objects)[0]
            $first.GetType().Name | Should -Be $name
            $times = @($first.PSObject.Properties | Where-Object { $_.Value -is [datetime] -or $_.Value -is [datetimeoffset] })
            $times.Count | Should -BeGreaterThan 0
            $iso = '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]00:00)$'
            $row = $first | ConvertTo-Csv | ConvertFrom-Csv
            $json = $first | ConvertTo-Json -WarningAction SilentlyContinue | ConvertFrom-Json -DateKind String
            foreach ($p in $times) {
                $time = $p.Value
                $row.($p.Name) | Should -Match $iso -Because "$name.$($p.Name) in CSV"
                $json.($p.Name) | Should -Match $iso -Because "$name.$($p.Name) in JSON"
                ([datetimeoffset]$row.($p.Name)).UtcDateTime | Should -Be ([datetimeoffset]$time).UtcDateTime
                @($first | Where-Object $p.Name -gt $time.AddMinutes(-1)).Count | Should -Be 1 -Because "$name.$($p.Name) filters as a time"
                @($first | Where-Object $p.Name -gt $time.AddMinutes(1)).Count | Should -Be 0
                @($first | Where-Object { $_.($p.Name) -lt $time.AddDays(1) }).Count | Should -Be 1
            }
        }

        It 'filters and sorts FileActivity by LastWriteTimeUtc as users type it' {
            $fresh = Write-TestFile $root 'raw/env0/ticker_20251103.jsonl' "{}`n" ([datetime]::UtcNow.AddMinutes(-5))
            $activity = Test-FileActive -LiteralPath $raw, $fresh
            ($activity | Where-Object LastWriteTimeUtc -gt (Get-Date).AddHours(-1)).Path | Should -Be $fresh
            ($activity | Sort-Object LastWriteTimeUtc -Descending).Path | Should -Be @($fresh, $raw)
            $activity | Sort-Object LastWriteTimeUtc | Export-Csv -LiteralPath (Join-Path $root 'a.csv')
            (Import-Csv (Join-Path $root 'a.csv')).LastWriteTimeUtc | Should -Match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$'
        }

        It 'exports several reasons as one joined column' {
            (Test-FileActive -LiteralPath $torn | ConvertTo-Csv | ConvertFrom-Csv).Reasons | Should -Be 'Latest, TornTail'
            (Test-FileActive -LiteralPath $torn | ConvertTo-Json | ConvertFrom-Json).Reasons | Should -Be @('Latest', 'TornTail')
            (Convert-JsonlToParquet -LiteralPath $raw -Destination $ds -IncludeLatest | ConvertTo-Json | ConvertFrom-Json).Status | Should -Be 'Converted'
        }
    }

    Describe 'One name for one idea' {
        It 'takes -Qui as -Quiet, and -QuietP as -QuietPeriod' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{}`n" ([datetime]::UtcNow.AddMinutes(-2))
            Test-FileActive -LiteralPath $raw -Qui | Should -BeOfType [bool]
            Test-FileActive -LiteralPath $raw -QuietP 1h -IncludeLatest -Qui | Should -BeTrue # written 2 minutes ago
            Test-FileActive -LiteralPath $raw -QuietP 1m -IncludeLatest -Qui | Should -BeFalse
        }

        It 'reads an unquoted 10d (a decimal literal to PowerShell) as ten days, as the help says' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{}`n" # written 8 days ago
            (Test-FileActive -LiteralPath $raw -QuietPeriod 10d -IncludeLatest).Reasons | Should -Be 'RecentlyModified'
            (Test-FileActive -LiteralPath $raw -QuietPeriod '10d' -IncludeLatest).Reasons | Should -Be 'RecentlyModified'
            (Test-FileActive -LiteralPath $raw -QuietPeriod 7d -IncludeLatest).IsActive | Should -BeFalse
        }

        It 'shows and exports a FileActivity''s path as Path only, while FullName still reads and binds' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n"
            $activity = Test-FileActive -LiteralPath $raw
            ($activity | Get-Member -MemberType Properties).Name | Should -Not -Contain 'FullName'
            ($activity | ConvertTo-Csv | ConvertFrom-Csv).PSObject.Properties.Name | Should -Not -Contain 'FullName'
            ($activity | ConvertTo-Json | ConvertFrom-Json).PSObject.Properties.Name | Should -Not -Contain 'FullName'
            $activity.FullName | Should -Be $activity.Path
            ($activity | Convert-JsonlToParquet -Destination (Join-Path $root 'ds') -IncludeLatest).Status | Should -Be 'Converted'
        }

        It 'names a collector''s output folder -Destination, and still takes -Directory and .Directory' {
            $new = 1..2 | ForEach-Object { @{ type = 'r'; n = $_ } } | Start-Collector -Destination (Join-Path $root 'new') -Stream r
            $old = 1..2 | ForEach-Object { @{ type = 'r'; n = $_ } } | Start-Collector -Directory (Join-Path $root 'old') -Stream r
            $new.Destination | Should -Be (Join-Path $root 'new')
            $old.Destination | Should -Be (Join-Path $root 'old')
            $old.Directory | Should -Be $old.Destination
            ($new | Get-Member -MemberType Properties).Name | Should -Not -Contain 'Directory'
            (Get-Collector -Id $new.Id | Move-OrphanSegment -WhatIf -ErrorAction Stop) | Should -BeNullOrEmpty
            Get-Collector -Id $new.Id, $old.Id | Remove-Collector
        }

        It 'names the stream on each continuity gap' {
            $raw = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n{`"time`":`"2025-11-01T12:00:00Z`"}`n"
            $gap = (Test-DataContinuity -LiteralPath $raw -GapThreshold 1h).Gaps | Select-Object -First 1
            $gap.Stream | Should -Be 'ticker'
            ($gap | ConvertTo-Csv | ConvertFrom-Csv).From | Should -Be '2025-11-01T10:00:00Z'
        }
    }

    Describe 'Documented pipes' {
        BeforeEach {
            $raw = Write-TestFile $root 'raw/env0/ticker_20251101.jsonl' "{`"type`":`"ticker`",`"time`":`"2025-11-01T10:00:00Z`"}`n"
            $rawRoot = Join-Path $root 'raw'
            $dataset = @{ Root = (Join-Path $root 'data'); Vendor = 'v'; Dataset = 'd'; Version = '1' }
        }

        It 'Convert-JsonlToParquet | Test-ParquetFile checks the outputs' {
            $reports = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $root 'ds') -IncludeLatest | Test-ParquetFile -Deep -ErrorAction Stop
            @($reports).Count | Should -Be 1
            $reports.IsValid | Should -BeTrue
            $reports.Path | Should -BeLike '*date=2025-11-01*.parquet'
        }

        It 'ConvertTo-BronzePath | Copy-ToBronze publishes the raw file' {
            $published = ConvertTo-BronzePath -LiteralPath $raw -RawRoot $rawRoot @dataset | Copy-ToBronze -RawRoot $rawRoot @dataset -IncludeLatest -ErrorAction Stop
            $published.Status | Should -Be 'Copied'
            $published.Raw | Should -Be $raw
            $published.Bronze | Should -BeLike 'bronze/*--ticker_20251101.jsonl'
        }

        It 'Get-ChildItem | Test-FileActive | Where-Object IsActive -eq $false | Convert-JsonlToParquet converts the complete files' {
            $null = Write-TestFile $root 'raw/env0/ticker_20251102.jsonl' "{`"type`":`"ticker`",`"time`":`"2025-11-02T10:00:00Z`"}`n"
            $r = Get-ChildItem (Join-Path $rawRoot 'env0') | Test-FileActive | Where-Object IsActive -eq $false | Convert-JsonlToParquet -Destination (Join-Path $root 'ds')
            $r.Name | Should -Be 'ticker_20251101.jsonl'
            $r.Status | Should -Be 'Converted'
        }
    }

    Describe 'Progress' {
        It 'shows bytes within one large file, rows so far, MB/s and the time left' {
            $raw = Join-Path $root 'ticker_20251101.jsonl'
            $lines = [System.Collections.Generic.List[string]]::new()
            for ($i = 0; $i -lt 250000; $i++) {
                $lines.Add('{"type":"ticker","time":"2025-11-01T10:' + ($i % 60).ToString('00') + ':00Z","price":"' + $i + '.5","seq":' + $i + '}')
            }
            [System.IO.File]::WriteAllLines($raw, $lines)
            [System.IO.File]::SetLastWriteTimeUtc($raw, $LongAgo)

            $seen = [System.Collections.Generic.List[object]]::new()
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$Manifest'; Convert-JsonlToParquet -LiteralPath '$raw' -Destination '$(Join-Path $root 'ds')' -IncludeLatest")
                $ps.Streams.Progress.add_DataAdded({
                    param($sender, $e)
                    $r = $sender[$e.Index]
                    $seen.Add([pscustomobject]@{ Status = $r.StatusDescription; Percent = $r.PercentComplete; Seconds = $r.SecondsRemaining; Type = "$($r.RecordType)" })
                }.GetNewClosure())
                $null = $ps.Invoke()
                $ps.Streams.Error | Should -BeNullOrEmpty
            }
            finally {
                $ps.Dispose()
            }

            $shown = $seen | Where-Object Type -eq 'Processing'
            $shown | ForEach-Object { $_.Status | Should -Match '^\d+ of 1 file\(s\) done, [\d,]+ rows written, [\d.,]+ of [\d.,]+ MB' }
            $shown | Where-Object { $_.Percent -gt 0 -and $_.Percent -lt 100 -and $_.Status -like '0 of 1*' } | Should -Not -BeNullOrEmpty
            $shown | Where-Object { $_.Status -match ' MB/s, .+ left$' -and $_.Seconds -ge 0 } | Should -Not -BeNullOrEmpty
            $shown | Where-Object { $_.Status -like '1 of 1 file(s) done, 250,000 rows written*' -and $_.Percent -eq 100 } | Should -Not -BeNullOrEmpty
            $seen[-1].Type | Should -Be 'Completed'
        }
    }

    Describe 'Help, tables and health checks' {
        It 'shows plain type names in syntax' {
            $syntax = Get-Command -Module PipelineOps | ForEach-Object { Get-Help $_.Name | Select-Object -ExpandProperty syntax | Out-String -Width 400 }
            $syntax | Should -Not -Match '[A-Za-z0-9]\]>'
            $syntax | Should -Not -Match 'Nullable'
            ($syntax -join "`n") | Should -Match '\[-Seed <Int32>\]'
        }

        It 'opens each cmdlet''s online help with Get-Help -Online, at its page in docs/' {
            # A stand-in for the browser: .NET opens a URI on Linux through xdg-open found on PATH.
            if (-not $IsLinux) { Set-ItResult -Skipped -Because 'the browser stand-in is an xdg-open script' }
            $bin = New-Item -ItemType Directory (Join-Path $root 'bin')
            $opened = Join-Path $root 'opened.txt'
            Set-Content (Join-Path $bin 'xdg-open') "#!/bin/sh`nprintf '%s\n' `"`$1`" >> '$opened'`n"
            chmod +x (Join-Path $bin 'xdg-open')
            $path = $env:PATH
            try {
                $env:PATH = "$bin$([IO.Path]::PathSeparator)$path"
                foreach ($command in Get-Command -Module PipelineOps -CommandType Cmdlet) {
                    $uri = "https://github.com/PipelineOps/PipelineOps/blob/main/docs/$($command.Name).md"
                    $command.HelpUri | Should -Be $uri
                    $page = Join-Path $PSScriptRoot '..' 'docs' "$($command.Name).md"
                    $page | Should -Exist
                    Get-Content -Raw $page | Should -Match ([regex]::Escape((Get-Help $command.Name).Synopsis.Trim()))
                    Get-Help $command.Name -Online
                }
            }
            finally {
                $env:PATH = $path
            }

            $expected = Get-Command -Module PipelineOps -CommandType Cmdlet | ForEach-Object { "https://github.com/PipelineOps/PipelineOps/blob/main/docs/$($_.Name).md" }
            for ($i = 0; $i -lt 50 -and @(Get-Content $opened -ErrorAction Ignore).Count -lt @($expected).Count; $i++) { Start-Sleep -Milliseconds 100 }
            Get-Content $opened | Sort-Object | Should -Be ($expected | Sort-Object)
        }

        It 'keeps the file name of a long path in a table' {
            $deep = Write-TestFile $root ((@('a-rather-long-folder-name') * 4 -join '/') + '/data_20251101.csv') "a,b`n1,2`n"
            $table = New-DataSample -LiteralPath $deep -Destination (Join-Path $root 's') | Format-Table | Out-String -Width 200
            $table | Should -BeLike ('*…' + $deep.Substring($deep.Length - 39) + '*')
        }

        It 'leaves temp_ files out of continuity, and warns when a check finds no Parquet file' {
            $null = Write-TestFile $root 'raw/ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n"
            $null = Write-TestFile $root 'raw/temp_ticker_20251101.jsonl' "{`"time`":`"2025-11-01T10:00:00Z`"}`n"
            (Test-DataContinuity (Join-Path $root 'raw')).Stream | Should -Be 'ticker'
            $empty = New-Item -ItemType Directory (Join-Path $root 'empty')
            Test-ParquetFile $empty -Recurse -Quiet -WarningVariable warned | Should -BeNullOrEmpty
            "$warned" | Should -Match 'No Parquet files were found'
        }
    }
}
