namespace PipelineOps.Files;

/// <summary>What a directory listing says about one file: enough to classify it without another stat.</summary>
public readonly record struct FileEntry(string FullPath, string Name, long Length, DateTime LastWriteTimeUtc, bool IsLink)
{
    public string Directory => Path.GetDirectoryName(FullPath)!;

    /// <summary>Measures a file now.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (any more).</exception>
    public static FileEntry Of(FileInfo file)
    {
        file.Refresh();
        if (!file.Exists)
        {
            throw new FileNotFoundException($"Cannot find file '{file.FullName}'.", file.FullName);
        }

        return new FileEntry(file.FullName, file.Name, file.Length, file.LastWriteTimeUtc, file.LinkTarget is not null);
    }
}

/// <summary>The files of one directory, in name order. IsComplete: every file of the directory is listed, so the
/// listing alone can tell the newest file of each series.</summary>
public sealed record DirectoryListing(string Directory, IReadOnlyList<FileEntry> Files, bool IsComplete)
{
    /// <summary>The files that match; a listing that leaves any out is no longer complete.</summary>
    public DirectoryListing Where(Func<FileEntry, bool> predicate)
    {
        var kept = Files.Where(predicate).ToArray();
        return this with { Files = kept, IsComplete = IsComplete && kept.Length == Files.Count };
    }
}
