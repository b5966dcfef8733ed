@{
    RootModule           = 'PipelineOps.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0c6f0e-8f3a-4d8e-9a51-2f6d7c1e9b42'
    Author               = 'PipelineOps contributors'
    CompanyName          = 'PipelineOps'
    Copyright            = '(c) PipelineOps contributors. All rights reserved.'
    Description          = 'Run file-based data pipelines unattended: collect into rotated files, tell active files from complete ones, convert JSONL to partitioned Parquet, stage and sample.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('PipelineOps.format.ps1xml')
    TypesToProcess       = @('PipelineOps.types.ps1xml')
    CmdletsToExport      = @(
        'Add-ManifestEntry'
        'Convert-JsonlToParquet'
        'ConvertTo-BronzePath'
        'Copy-ToBronze'
        'Get-Collector'
        'Get-ManifestEntry'
        'Get-PipelineOpsDependency'
        'Invoke-StagingSampler'
        'Move-OrphanSegment'
        'New-DataSample'
        'Remove-Collector'
        'Start-Collector'
        'Stop-Collector'
        'Sync-Segment'
        'Test-DataContinuity'
        'Test-FileActive'
        'Test-ParquetFile'
        'Wait-Collector'
        'Register-PipelineJob'
        'Get-PipelineJob'
        'Enable-PipelineJob'
        'Disable-PipelineJob'
        'Unregister-PipelineJob'
        'Invoke-PipelineJob'
        'Get-PipelineJobHistory'
        'Clear-PipelineJobHistory'
        'Start-PipelineScheduler'
        'Stop-PipelineScheduler'
        'Get-PipelineScheduler'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @('Move-OrphanSegments')
    PrivateData          = @{
        PSData = @{
            Tags         = @('pipeline', 'jsonl', 'parquet', 'etl', 'collector', 'data-engineering', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/PipelineOps/PipelineOps/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/PipelineOps/PipelineOps'
            ReleaseNotes = '0.1.0: first release: collector, Test-FileActive, JSONL to Parquet conversion, staging and sampling, and the pipelineops host. See CHANGELOG.md.'
        }
    }
}
