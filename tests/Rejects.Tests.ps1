#Requires -Version 7.6
# What an operator finds in _rejects/ after a conversion with bad lines: the JSON record of each (file, line, reason)
# and the lines themselves as the source had them, so grep and Select-String find a record by its own text.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1') -Force
}

Describe 'The rejects of a conversion' {
    BeforeAll {
        $raw = Join-Path $TestDrive 'raw'
        $null = New-Item -ItemType Directory -Force $raw
        Set-Content (Join-Path $raw 'orders_20251101.jsonl') @(
            '{"n":1,"time":"2025-11-01T00:00:01Z"}', '{"n":2,"time":"2025-11-01T00:00:02Z"}',
            '{"n":4,"time":"2025-11-01T00:00:04Z","city":"Zürich",}', '{"n":5,"time":"2025-11-01T00:00:05Z"}')
        $script:Result = Convert-JsonlToParquet -LiteralPath $raw -Destination (Join-Path $TestDrive 'ds') -IncludeLatest -QuietPeriod 0 -WarningAction SilentlyContinue
        $script:Rejects = Join-Path $TestDrive 'ds' '_rejects'
    }

    It 'are found by the text of the bad line with grep, as the source had it' -Skip:(-not (Get-Command grep -ErrorAction Ignore)) {
        $found = & grep -rF '"n":4' $Rejects
        $LASTEXITCODE | Should -Be 0
        $found | Should -HaveCount 1
        $found | Should -BeLike '*.rejects.txt:{"n":4,"time":"2025-11-01T00:00:04Z","city":"Zürich",}'
    }

    It 'are found with Select-String too, and the JSON record names the same line number' {
        $hit = Select-String -Path (Join-Path $Rejects '*.rejects.txt') -SimpleMatch '"n":4'
        $hit | Should -HaveCount 1
        $record = Get-Content $Result.RejectsFile | ConvertFrom-Json
        $record.line | Should -Be 3
        $record.error | Should -Not -Match 'LineNumber: 0'
        $record.text | Should -BeExactly $hit.Line
        $Result.BadLines | Should -Be 1
        $Result.Rows | Should -Be 3
    }
}
