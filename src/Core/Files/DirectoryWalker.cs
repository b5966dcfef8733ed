namespace PipelineOps.Files;

/// <summary>
/// Lists the files of a directory (optionally its subdirectories) as a stream. A subdirectory that cannot be
/// read is reported through <paramref name="onError"/> and the walk goes on: one locked folder never hides the rest.
/// </summary>
public static class DirectoryWalker
{
    public static IEnumerable<FileInfo> EnumerateFiles(DirectoryInfo root, string? filter, bool recurse,
        Action<string, Exception> onError, CancellationToken cancellationToken = default)
    {
        var pattern = string.IsNullOrEmpty(filter) ? "*" : filter;
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = false };
        var pending = new Stack<DirectoryInfo>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = pending.Pop();
            List<FileInfo> files;
            List<DirectoryInfo> children;
            try
            {
                files = directory.EnumerateFiles(pattern, options).ToList();
                children = recurse ? directory.EnumerateDirectories("*", options).ToList() : [];
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                onError(directory.FullName, e);
                continue;
            }

            files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            foreach (var file in files)
            {
                yield return file;
            }

            // Reverse so subdirectories come out in name order from the stack.
            children.Sort((a, b) => string.CompareOrdinal(b.Name, a.Name));
            foreach (var child in children)
            {
                if (child.LinkTarget is null) // do not follow directory links: no cycles, no escaping the tree
                {
                    pending.Push(child);
                }
            }
        }
    }
}
