using System.Text.RegularExpressions;

namespace PipelineOps.Staging;

/// <summary>How raw files are published into bronze.</summary>
public sealed record BronzeOptions
{
    /// <summary>Raw folder segments removed from the bronze path; null keeps them all.</summary>
    public Regex? Environment { get; init; } = new(BronzePath.DefaultEnvironmentPattern, RegexOptions.CultureInvariant);

    /// <summary>Dates every file with this time instead of its mtime.</summary>
    public DateTime? Time { get; init; }

    /// <summary>Hash the source while copying and the copy after, and fail on any difference.</summary>
    public bool Verify { get; init; }

    /// <summary>Flush each manifest append to disk (the bronze copy itself is always flushed before its rename).</summary>
    public bool Fsync { get; init; }
}
