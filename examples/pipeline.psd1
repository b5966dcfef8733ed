# Settings for examples/run-pipeline.ps1. Each section holds the parameters of one cmdlet, by name, splatted into it
# as they are: anything `Get-Help Start-Collector -Parameter *` or `Get-Help Convert-JsonlToParquet -Parameter *`
# lists. A key that is not a parameter is an error, reported before anything runs. Relative paths are taken from
# the folder the script runs in (-Root).
@{
    # Start-Collector
    Collect = @{
        Demo          = $true        # the built-in market feed; a real feed gives Uri and Subscribe instead
        Rate          = 200
        Seed          = 42
        Destination   = 'raw'
        Rotation      = 'Daily'
        FlushInterval = '1s'
        Duration      = '2s'         # a service leaves this out and is stopped by systemd (SIGTERM)
        Wait          = $true
    }

    # Convert-JsonlToParquet
    Convert = @{
        LiteralPath   = 'raw'
        Destination   = 'dataset'
        Compression   = 'Zstd'
        PartitionBy   = 'product_id'
        IncludeLatest = $true        # the collector above has stopped, so its newest files are complete
        QuietPeriod   = 0
    }
}
