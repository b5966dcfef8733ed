using System.IO.Enumeration;

namespace PipelineOps.Files;

/// <summary>
/// Lists the files of a directory (optionally its subdirectories), one directory at a time, in name order.
/// A subdirectory that cannot be read is reported through <c>onError</c> and the walk goes on: one locked
/// folder never hides the rest. Directory links are not followed (no cycles, no escaping the tree).
/// </summary>
public static class DirectoryWalker
{
    private static readonly EnumerationOptions Options = new() { RecurseSubdirectories = false, IgnoreInaccessible = false };

    public static IEnumerable<DirectoryListing> EnumerateListings(string root, string? filter, bool recurse,
        Action<string, Exception> onError, CancellationToken cancellationToken = default)
    {
        var pattern = string.IsNullOrEmpty(filter) ? "*" : filter;
        var pending = new Stack<string>();
        pending.Push(Path.GetFullPath(root));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var directory = pending.Pop();
            List<FileEntry> files;
            List<string> children;
            try
            {
                files = [.. new FileSystemEnumerable<FileEntry>(directory, ToEntry, Options)
                {
                    ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && FileSystemName.MatchesSimpleExpression(pattern, e.FileName),
                }];
                children = recurse
                    ? [.. new FileSystemEnumerable<string>(directory, (ref FileSystemEntry e) => e.ToFullPath(), Options)
                    {
                        ShouldIncludePredicate = (ref FileSystemEntry e) => e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0,
                    }]
                    : [];
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                onError(directory, e);
                continue;
            }

            files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            yield return new DirectoryListing(directory, files, pattern == "*");

            children.Sort((a, b) => string.CompareOrdinal(b, a)); // reversed: popped in name order
            foreach (var child in children)
            {
                pending.Push(child);
            }
        }
    }

    /// <summary>The files of a tree as FileInfo objects, for callers that want them.</summary>
    public static IEnumerable<FileInfo> EnumerateFiles(DirectoryInfo root, string? filter, bool recurse,
        Action<string, Exception> onError, CancellationToken cancellationToken = default) =>
        EnumerateListings(root.FullName, filter, recurse, onError, cancellationToken)
            .SelectMany(listing => listing.Files.Select(f => new FileInfo(f.FullPath)));

    private static FileEntry ToEntry(ref FileSystemEntry entry) =>
        new(entry.ToFullPath(), entry.FileName.ToString(), entry.Length, entry.LastWriteTimeUtc.UtcDateTime,
            (entry.Attributes & FileAttributes.ReparsePoint) != 0);
}
