#Requires -Version 7.6
# Module isolation in real pwsh: another module that ships other versions of PipelineOps's libraries
# (SharpCompress 0.48.1, Microsoft.Extensions.Logging.Abstractions 8.0.0, and an assembly named Parquet at 5.0.0,
# compiled here because the package feed serves only Parquet.Net 6.1.0) and PipelineOps work side by side,
# whichever is imported first. Each order runs in a fresh pwsh, where nothing has loaded either yet.
# (tests/PipelineOps.Module.Tests/IsolationTests.cs proves the same in the pipelineops host.)

BeforeAll {
    . (Join-Path $PSScriptRoot 'PesterSupport.ps1')
    $packages = Get-NuGetPackageRoot
    $script:OtherModule = Join-Path $TestDrive 'OtherModule'
    $null = New-Item -ItemType Directory -Force $OtherModule
    Copy-Item (Join-Path $packages 'sharpcompress' '0.48.1' 'lib' 'net8.0' 'SharpCompress.dll') $OtherModule
    Copy-Item (Join-Path $packages 'microsoft.extensions.logging.abstractions' '8.0.0' 'lib' 'net8.0' 'Microsoft.Extensions.Logging.Abstractions.dll') $OtherModule
    # Another assembly named Parquet, as an older Parquet.Net would be: same name, version 5.0.0.0.
    $parquet5 = Join-Path $OtherModule 'Parquet.dll'
    $compile = Invoke-Pwsh -ArgumentList '-Command', @"
Add-Type -OutputAssembly '$parquet5' -OutputType Library -TypeDefinition '[assembly: System.Reflection.AssemblyVersion("5.0.0.0")] namespace Parquet { public static class OtherParquetMarker { public static string Name => "other"; } }'
"@
    $compile.ExitCode | Should -Be 0 -Because $compile.Stderr
    # How modules usually bring their libraries: RequiredAssemblies, loaded into pwsh's default load context.
    Set-Content (Join-Path $OtherModule 'OtherModule.psd1') @"
@{
    ModuleVersion     = '1.0.0'
    GUID              = '0d4a4f43-8d3c-4d5e-9a7f-1b2c3d4e5f60'
    RootModule        = 'OtherModule.psm1'
    RequiredAssemblies = @('SharpCompress.dll', 'Microsoft.Extensions.Logging.Abstractions.dll', 'Parquet.dll')
    FunctionsToExport = @('Get-OtherLibrary')
}
"@
    Set-Content (Join-Path $OtherModule 'OtherModule.psm1') @'
function Get-OtherLibrary {
    'other SharpCompress=' + [SharpCompress.Common.ArchiveType].Assembly.GetName().Version
    'other Logging=' + [Microsoft.Extensions.Logging.Abstractions.NullLogger]::Instance.GetType().Assembly.GetName().Version
    'other Parquet=' + [Parquet.OtherParquetMarker].Assembly.GetName().Version
}
'@
    $script:Data = Join-Path $TestDrive 'data'
    $null = New-Item -ItemType Directory -Force $Data
    Set-Content (Join-Path $Data 'ticker_20251113.jsonl') '{"type":"ticker","time":"2025-11-13T10:00:00Z","price":"1.5"}'

    function Invoke-BothModules([string] $First) {
        $importOther = "Import-Module '$OtherModule/OtherModule.psd1'"
        $importOurs = "Import-Module '$StagedModules/PipelineOps/PipelineOps.psd1'"
        $imports = if ($First -eq 'Other') { $importOther, $importOurs } else { $importOurs, $importOther }
        $script = @"
`$ErrorActionPreference = 'Stop'
$($imports -join "`n")
Get-OtherLibrary
Get-PipelineOpsDependency | Where-Object Name -in 'SharpCompress', 'Microsoft.Extensions.Logging.Abstractions', 'Parquet' |
    ForEach-Object { 'ours {0}={1} in {2}' -f `$_.Name, `$_.Version, `$_.LoadContext }
'converted=' + (Convert-JsonlToParquet -LiteralPath '$Data' -Destination '$TestDrive/ds-$First' -IncludeLatest -QuietPeriod 0).Status
"@
        $result = Invoke-Pwsh -ArgumentList '-Command', $script
        $result.ExitCode | Should -Be 0 -Because $result.Stderr
        $result.Stdout -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
    }
}

Describe 'PipelineOps beside a module with other versions of its libraries' {
    It 'works when the other module is imported <_>' -ForEach 'first', 'second' {
        $lines = Invoke-BothModules -First ($_ -eq 'first' ? 'Other' : 'PipelineOps')
        $lines | Should -Contain 'other SharpCompress=0.48.1.0'
        $lines | Should -Contain 'other Logging=8.0.0.0'
        $lines | Should -Contain 'other Parquet=5.0.0.0'
        $lines | Should -Contain 'ours SharpCompress=0.50.8 in PipelineOps'
        $lines | Should -Contain 'ours Microsoft.Extensions.Logging.Abstractions=10.0.0 in PipelineOps'
        $lines | Should -Contain 'ours Parquet=6.1.0 in PipelineOps'
        $lines | Should -Contain 'converted=Converted'
    }
}
