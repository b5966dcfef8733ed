#Requires -Version 7.6
# The scheduler cmdlets as an operator types them, against a SQLite store in a temporary folder.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' 'out' 'PipelineOps' 'PipelineOps.psd1') -Force
}

Describe 'Register-PipelineJob and Get-PipelineJob' {
    BeforeEach {
        $store = Join-Path $TestDrive "scheduler-$(New-Guid).db"
    }

    It 'registers a daily job at 00:05 in a named zone and shows when it fires next' {
        Register-PipelineJob nightly -At 00:05 -TimeZone Europe/London -ScriptBlock { 'x' } -StorePath $store -Description 'the nightly'
        $job = Get-PipelineJob -StorePath $store
        $job.Name | Should -Be 'nightly'
        $job.State | Should -Be 'Normal'
        $job.Schedule | Should -Be 'daily 00:05'
        $job.TimeZone | Should -Be 'Europe/London'
        $job.NextRunTime.TimeOfDay | Should -Be ([timespan]'00:05:00')
    }

    It 'refuses a bad cron, an unknown zone, a misspelt -Convert key and a duplicate name' {
        Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store
        { Register-PipelineJob b -Cron '61 * * * *' -ScriptBlock { 1 } -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidCron*'
        { Register-PipelineJob b -At 00:05 -TimeZone Mars/Olympus -ScriptBlock { 1 } -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownTimeZone*'
        { Register-PipelineJob c -At 00:05 -Convert @{ Path = '.'; Destinaton = './out' } -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'UnknownJobParameter*'
        { Register-PipelineJob a -At 00:05 -ScriptBlock { 1 } -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'JobAlreadyExists*'
        # -Force replaces it.
        Register-PipelineJob a -At 00:05 -ScriptBlock { 1 } -StorePath $store -Force
        (Get-PipelineJob a -StorePath $store).Schedule | Should -Be 'daily 00:05'
    }

    It 'says so when the store does not exist' {
        { Get-PipelineJob -StorePath (Join-Path $TestDrive 'nothing.db') -ErrorAction Stop } | Should -Throw -ErrorId 'StoreNotFound*'
    }

    It 'registers the nightly conversion and the sampler in one call' {
        Register-PipelineJob -Preset Nightly -Convert @{ Path = './raw'; Destination = './ds' } -Sample @{ Root = './data'; Vendor = 'sp'; Dataset = 'gics'; Version = '1.0' } -StorePath $store
        Get-PipelineJob -StorePath $store | ForEach-Object { '{0} {1}' -f $_.Name, $_.Schedule } |
            Should -Be @('Nightly-Convert daily 00:05', 'Nightly-Sample every 00:05:00')
    }
}

Describe 'Disable-, Enable-, Unregister- and Invoke-PipelineJob, Get-PipelineJobHistory' {
    BeforeAll {
        $store = Join-Path $TestDrive 'lifecycle.db'
    }

    It 'pauses, resumes, and keeps the job under -WhatIf' {
        Register-PipelineJob a -Every 5m -ScriptBlock { 1 } -StorePath $store
        Disable-PipelineJob a -StorePath $store
        (Get-PipelineJob a -StorePath $store).State | Should -Be 'Paused'
        Get-PipelineJob a -StorePath $store | Enable-PipelineJob -StorePath $store
        (Get-PipelineJob a -StorePath $store).State | Should -Be 'Normal'
        Unregister-PipelineJob a -StorePath $store -WhatIf
        @(Get-PipelineJob -StorePath $store).Count | Should -Be 1
        Unregister-PipelineJob a -StorePath $store -Confirm:$false
        @(Get-PipelineJob -StorePath $store).Count | Should -Be 0
    }

    It 'runs a job now and records the run, failures included' {
        Register-PipelineJob ok -Every 1h -ScriptBlock { 'hello from a job'; Write-Warning 'mind the gap' } -StorePath $store
        Register-PipelineJob bad -Every 1h -ScriptBlock { throw 'the source is gone' } -StorePath $store
        $ok = Invoke-PipelineJob ok -StorePath $store
        $ok.Status | Should -Be 'Succeeded'
        $ok.Output | Should -Match 'hello from a job'
        $ok.Warnings | Should -Contain 'mind the gap'
        $bad = Invoke-PipelineJob bad -StorePath $store -WarningAction SilentlyContinue
        $bad.Status | Should -Be 'Failed'
        $bad.Errors -join "`n" | Should -Match 'the source is gone'

        $failed = @(Get-PipelineJobHistory -StorePath $store -Status Failed)
        $failed.Count | Should -Be 1
        $failed[0].Job | Should -Be 'bad'
        @(Get-PipelineJobHistory ok -StorePath $store).Count | Should -Be 1
    }

    It 'clears history only when asked: -OlderThan 7d keeps recent runs, -WhatIf keeps all' {
        Clear-PipelineJobHistory -OlderThan 7d -StorePath $store -Confirm:$false
        @(Get-PipelineJobHistory -StorePath $store).Count | Should -Be 2
        Clear-PipelineJobHistory bad -StorePath $store -WhatIf
        @(Get-PipelineJobHistory -StorePath $store).Count | Should -Be 2
        $deleted = Clear-PipelineJobHistory bad -StorePath $store -Confirm:$false -PassThru
        $deleted.Job | Should -Be 'bad'
        @(Get-PipelineJobHistory -StorePath $store).Job | Should -Be 'ok'
    }
}

Describe 'Start-, Get- and Stop-PipelineScheduler' {
    It 'fires a registered job on its schedule and stops cleanly' {
        $marker = Join-Path $TestDrive 'fired.txt'
        Register-PipelineJob tick -Every 1s -Store Memory -ScriptBlock ([scriptblock]::Create("[IO.File]::AppendAllText('$marker', 'x')"))
        try {
            (Start-PipelineScheduler -Store Memory).IsRunning | Should -BeTrue
            $deadline = [datetime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $marker) -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Get-PipelineScheduler | Should -Not -BeNullOrEmpty
        }
        finally {
            Stop-PipelineScheduler -Store Memory
        }
        Test-Path $marker | Should -BeTrue
    }
}
