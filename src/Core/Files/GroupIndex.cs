namespace PipelineOps.Files;

/// <summary>The newest stamp of each rotated series in one directory, read once from its listing.</summary>
internal sealed class GroupIndex
{
    private readonly Dictionary<string, FileNameStamp> _newest;

    private GroupIndex(Dictionary<string, FileNameStamp> newest) => _newest = newest;

    public static StringComparer NameComparer { get; } =
        OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>Lists the directory (every file, hidden ones included) and indexes it.</summary>
    public static GroupIndex Build(string directory)
    {
        var options = new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = 0 };
        return Build(Directory.EnumerateFiles(directory, "*", options).Select(Path.GetFileName)!);
    }

    /// <summary>Indexes file names already listed.</summary>
    public static GroupIndex Build(IEnumerable<string> fileNames)
    {
        var newest = new Dictionary<string, FileNameStamp>(NameComparer);
        foreach (var name in fileNames)
        {
            var stamp = FileNameStamp.TryParse(name);
            if (stamp is null)
            {
                continue;
            }

            if (!newest.TryGetValue(stamp.Group, out var current) || stamp.IsNewerThan(current))
            {
                newest[stamp.Group] = stamp;
            }
        }

        return new GroupIndex(newest);
    }

    /// <summary>True when no file of the same series in this directory carries a later stamp.</summary>
    public bool IsLatest(FileNameStamp stamp) =>
        !_newest.TryGetValue(stamp.Group, out var newest) || !newest.IsNewerThan(stamp);
}
