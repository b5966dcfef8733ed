namespace PipelineOps.Files;

/// <summary>The answer to "is something still writing this file?" for one file.</summary>
/// <param name="Path">Full path of the file.</param>
/// <param name="IsActive">True when any rule fired: do not read this file as complete.</param>
/// <param name="Reasons">The rules that fired, in a stable order.</param>
/// <param name="Group">The file's rotated series (name without its date/hour stamp), or the bare name
/// when it has no stamp.</param>
/// <param name="Length">Size in bytes when inspected.</param>
/// <param name="LastWriteTimeUtc">Last write time when inspected.</param>
/// <param name="WriterCheck">How far the OpenForWrite rule could look.</param>
/// <param name="Writers">Processes seen holding the file open for writing, as "pid name".</param>
public sealed record FileActivity(
    string Path,
    bool IsActive,
    IReadOnlyList<ActivityReason> Reasons,
    string Group,
    long Length,
    DateTime LastWriteTimeUtc,
    WriterCheck WriterCheck,
    IReadOnlyList<string> Writers)
{
    public IReadOnlyList<ActivityReason> Reasons { get; init; } = JoinedList<ActivityReason>.Of(Reasons);

    public IReadOnlyList<string> Writers { get; init; } = JoinedList<string>.Of(Writers);

    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>The path is a symbolic link; Length, LastWriteTimeUtc and the tail are its target's.</summary>
    public bool IsLink { get; init; }

    /// <summary>What the path is when it is not a regular file ("FIFO", "character device", ...), else null.</summary>
    public string? NotRegularKind { get; init; }

    public override string ToString() => Path;
}
