# Helpers for Pester tests that run a fresh process: pwsh (the same one running the tests, however it was
# installed) or the staged pipelineops host. Dot-source it in BeforeAll.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$script:StagedModules = Join-Path $RepoRoot 'out'
$script:PipelineOpsHost = Join-Path $RepoRoot 'out' 'host' ($IsWindows ? 'pipelineops.exe' : 'pipelineops')

function Invoke-Process {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory = (Get-Location).Path
    )
    $info = [System.Diagnostics.ProcessStartInfo]::new($FilePath)
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
    foreach ($key in $Environment.Keys) { $info.Environment[$key] = [string] $Environment[$key] }
    $info.WorkingDirectory = $WorkingDirectory
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $process.StandardInput.Close()
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdout = $process.StandardOutput.ReadToEnd()
    $process.WaitForExit()
    [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout; Stderr = $stderr.GetAwaiter().GetResult() }
}

# A fresh pwsh like the one running this: `dotnet pwsh.dll` when pwsh is the .NET global tool, else pwsh itself.
function Invoke-Pwsh {
    param([string[]] $ArgumentList, [hashtable] $Environment = @{}, [string] $WorkingDirectory = (Get-Location).Path)
    $exe = [Environment]::ProcessPath
    $prefix = if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { , (Join-Path $PSHOME 'pwsh.dll') } else { @() }
    Invoke-Process $exe -ArgumentList (@($prefix) + @('-NoProfile', '-NonInteractive') + $ArgumentList) -Environment $Environment -WorkingDirectory $WorkingDirectory
}

function Invoke-PipelineOps {
    param([string[]] $ArgumentList, [hashtable] $Environment = @{}, [string] $WorkingDirectory = (Get-Location).Path)
    Invoke-Process $PipelineOpsHost -ArgumentList $ArgumentList -Environment $Environment -WorkingDirectory $WorkingDirectory
}

# Where NuGet keeps packages (dotnet test passes NUGET_PACKAGES to the suite).
function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget' 'packages' }
}
