namespace PipelineOps.Staging;

/// <summary>What publishing one raw file did.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))] // ConvertTo-Json writes the name
public enum PublishStatus
{
    /// <summary>Copied into bronze and recorded in the manifest.</summary>
    Copied,

    /// <summary>The manifest already records this raw file with the same size and mtime: nothing to do.</summary>
    UpToDate,

    /// <summary>An earlier run copied it but stopped before recording it: the manifest entry was added now.</summary>
    Recovered,

    /// <summary>Left alone: still being written (Test-FileActive's rules).</summary>
    Skipped,

    /// <summary>Not published; Reason says why. Nothing was left in bronze.</summary>
    Failed,
}

/// <summary>One raw file's outcome. <see cref="Bronze"/> is relative to the dataset folder, as in the manifest.</summary>
public sealed record PublishResult(
    string Raw,
    string? Bronze,
    string? BronzeFullPath,
    long Size,
    DateTime Mtime,
    PublishStatus Status,
    string? Reason,
    string? Sha256)
{
    public override string ToString() => BronzeFullPath ?? Raw;
}

/// <summary>Where a raw file goes in bronze (ConvertTo-BronzePath).</summary>
/// <param name="Raw">The raw file.</param>
/// <param name="Bronze">Its bronze path relative to the dataset folder (forward slashes).</param>
/// <param name="BronzeFullPath">The bronze path in full, when a dataset was given (as on PublishResult). Not named
/// FullName: piped to Copy-ToBronze, a target binds by its Raw path, never as a source in bronze.</param>
/// <param name="Time">The UTC time that dated it.</param>
/// <param name="Existing">True when a copy with the same size and mtime is already at that path.</param>
public sealed record BronzeTarget(string Raw, string Bronze, string? BronzeFullPath, DateTime Time, bool Existing)
{
    public override string ToString() => Bronze;
}
