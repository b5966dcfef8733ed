namespace PipelineOps.Staging;

/// <summary>One processed file: where it came from in raw, where it lives in bronze, and its write time.</summary>
/// <param name="Raw">The raw path it was copied from.</param>
/// <param name="Bronze">The bronze path it lives at.</param>
/// <param name="Mtime">The file's last write time (UTC). Stored as Unix seconds, as the manifest format has it.</param>
/// <param name="Size">Its size in bytes, when known.</param>
/// <param name="Added">When the entry was appended (UTC).</param>
public sealed record ManifestEntry(string Raw, string Bronze, DateTime Mtime, long? Size, DateTime? Added)
{
    /// <summary>Line number in the manifest (1-based), when read from one.</summary>
    public long Line { get; init; }

    /// <summary>Byte offset just after this entry's line, when read from a manifest: where a later read picks up.</summary>
    public long End { get; init; }

    /// <summary>The manifest file it was read from; its dataset folder is what relative paths are relative to.</summary>
    public string? Manifest { get; init; }

    public override string ToString() => Bronze;
}
