#Requires -Version 7.6
# The module installs the way users install modules: published with PSResourceGet to a repository, installed
# with Install-PSResource, imported by name. Runs in fresh pwsh processes with their own HOME, so the user's
# repositories and module folders are never touched.

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterSupport.ps1')
    $script:Staged = Join-Path $StagedModules 'PipelineOps'
    if (-not (Test-Path (Join-Path $Staged 'PipelineOps.psd1'))) { throw "Build first: dotnet build -c Release (missing $Staged)." }
}

Describe 'The module as the gallery sees it' {
    It 'passes Test-ModuleManifest and carries what the gallery shows' {
        $manifest = Test-ModuleManifest -Path (Join-Path $Staged 'PipelineOps.psd1') -ErrorAction Stop
        $manifest.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.ReleaseNotes | Should -Not -BeNullOrEmpty
        $manifest.Tags | Should -Contain 'parquet'
        $manifest.Description | Should -Not -BeNullOrEmpty
        Join-Path $Staged 'LICENSE' | Should -Exist
    }

    It 'has a CHANGELOG.md entry for the manifest''s version' {
        $version = (Import-PowerShellDataFile (Join-Path $Staged 'PipelineOps.psd1')).ModuleVersion
        Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') | Should -Contain "## $version (unreleased)" -Because 'each release gets a section'
    }

    It 'publishes with Publish-PSResource, installs with Install-PSResource, and imports by name in a fresh pwsh' {
        $userHome = Join-Path $TestDrive 'home'
        $repository = Join-Path $TestDrive 'repository'
        $null = New-Item -ItemType Directory -Force $userHome, $repository
        # No module path but the user's own (empty) one: pwsh adds its built-in modules itself.
        $environment = @{ HOME = $userHome; XDG_DATA_HOME = Join-Path $userHome '.local' 'share'; XDG_CONFIG_HOME = Join-Path $userHome '.config'; PSModulePath = '' }
        # .NET names a user folder only when it exists; otherwise PSResourceGet would keep its settings in the working folder.
        $null = New-Item -ItemType Directory -Force $environment.XDG_DATA_HOME, $environment.XDG_CONFIG_HOME

        $publish = Invoke-Pwsh -Environment $environment -ArgumentList '-Command', @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name Local -Uri '$repository' -Trusted
Publish-PSResource -Path '$Staged' -Repository Local
Install-PSResource -Name PipelineOps -Repository Local -Scope CurrentUser -TrustRepository
"@
        $publish.ExitCode | Should -Be 0 -Because $publish.Stderr
        Get-ChildItem $repository -Filter 'pipelineops.*.nupkg' | Should -HaveCount 1

        $import = Invoke-Pwsh -Environment $environment -ArgumentList '-Command', @"
`$ErrorActionPreference = 'Stop'
Import-Module PipelineOps
(Get-Module PipelineOps).ModuleBase
(Get-PipelineOpsDependency | Where-Object Name -eq 'Parquet').LoadContext
'active=' + (Test-FileActive -LiteralPath '$($Staged)/PipelineOps.psd1' -QuietPeriod 0 -Quiet)
"@
        $import.ExitCode | Should -Be 0 -Because $import.Stderr
        $lines = $import.Stdout -split "`n" | ForEach-Object TrimEnd
        $lines[0] | Should -BeLike "$userHome*PipelineOps*"
        $lines[1] | Should -Be 'PipelineOps'
        $lines | Should -Contain 'active=False'
    }
}
