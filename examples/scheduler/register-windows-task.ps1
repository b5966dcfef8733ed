<#
.SYNOPSIS
    Windows: runs the PipelineOps scheduler at boot as a scheduled task (pwsh, Start-PipelineScheduler -Wait), the
    Windows counterpart of examples/systemd/pipelineops-scheduler.service. Run elevated.
.EXAMPLE
    ./register-windows-task.ps1 -StateFolder C:\PipelineOps -User 'NT AUTHORITY\SYSTEM'
#>
param(
    [string] $StateFolder = "$env:ProgramData\PipelineOps",
    [string] $User = 'NT AUTHORITY\SYSTEM',
    [switch] $AtLogon
)

$pwsh = (Get-Command pwsh -ErrorAction Stop).Source
$command = "`$env:PIPELINEOPS_HOME = '$StateFolder'; Import-Module PipelineOps; Start-PipelineScheduler -Wait"
$action = New-ScheduledTaskAction -Execute $pwsh -Argument "-NoProfile -NonInteractive -Command `"$command`""
$trigger = if ($AtLogon) { New-ScheduledTaskTrigger -AtLogOn } else { New-ScheduledTaskTrigger -AtStartup }
# No time limit (the scheduler runs until stopped), restart after a failure, one instance only.
$settings = New-ScheduledTaskSettingsSet -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1) -MultipleInstances IgnoreNew -StartWhenAvailable
Register-ScheduledTask -TaskName 'PipelineOps scheduler' -Action $action -Trigger $trigger -Settings $settings -User $User -RunLevel Highest -Force
